// The archive item file: one news item as the users' earlier tool wrote it.
//
//   <!--1730302743000-->
//   [title](url)
//   ------
//
//   <html on one line>
//
// Every transformation here is chosen so that renderItem(readItem(file)) gives
// back the file's bytes for files in the format (docs/archive-format.md).

/** One archived item. */
export interface ArchiveItem {
  /** Epoch milliseconds; absent only for files of the old layout without a time. */
  time?: number;
  title: string;
  url: string;
  html: string;
}

/** A file that is not an archive item, or an item that cannot be written. */
export class ArchiveFormatError extends Error {
  override name = 'ArchiveFormatError';
}

/** The line under the link: a Markdown setext heading underline. */
const RULE = '------';

/**
 * The item's timestamp: its publication time (else its update time), or the
 * first-seen time when the feed gives neither; never later than the capture time,
 * so that a feed clock in the future cannot push an item above newer ones.
 */
export function pickTime(
  item: { published?: number; updated?: number },
  firstSeen: number,
  capturedAt: number = firstSeen,
): number {
  const valid = (t: number | undefined): t is number => typeof t === 'number' && Number.isFinite(t);
  if (!valid(firstSeen)) throw new ArchiveFormatError('pickTime: firstSeen must be a finite number');
  const cap = valid(capturedAt) ? capturedAt : firstSeen;
  const t = valid(item.published) ? item.published : valid(item.updated) ? item.updated : firstSeen;
  return Math.floor(Math.min(t, cap));
}

// C0 controls except TAB, LF, CR; DEL; C1 controls.
const CONTROLS = /[\x00-\x08\x0B\x0E-\x1F\x7F-\x9F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes control characters (form feed becomes a space) and lone surrogates. */
function dropControls(s: string): string {
  const t = s.replace(/\f/g, ' ').replace(CONTROLS, '');
  // The surrogate scan is a slow regex over every item; well-formed text (nearly all) skips it.
  return (t as string & { isWellFormed(): boolean }).isWellFormed() ? t : t.replace(LONE_SURROGATE, '\uFFFD');
}


/**
 * The title as it goes on the link line: one line, no control characters, trimmed
 * (as the earlier tool did). Runs of spaces inside are kept.
 */
export function cleanTitle(title: string): string {
  return dropControls(title)
    .replace(/[\t\r\n ]*[\r\n][\t\r\n ]*/g, ' ')
    .replace(/^\s+|\s+$/g, '');
}

/**
 * Indexes of brackets (or parentheses) that are not part of a matched pair;
 * `breaks(closeIndex)` can veto a pair. Backslash-escaped characters are skipped
 * on the source text `s` as it will be read, i.e. before escaping.
 */
function unmatched(s: string, open: string, close: string, maxDepth: number, breaks: (close: number) => boolean): Set<number> {
  const bad = new Set<number>();
  const stack: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === open) {
      if (stack.length >= maxDepth) bad.add(i);
      else stack.push(i);
    } else if (c === close) {
      const o = stack.pop();
      if (o === undefined) bad.add(i);
      else if (breaks(i)) {
        bad.add(o);
        bad.add(i);
      }
    }
  }
  for (const o of stack) bad.add(o);
  return bad;
}

/**
 * Backslash-escapes a plain string for a link text or destination, minimally
 * so that older files (which escaped nothing) keep their bytes: only the
 * delimiters that do not pair up are escaped, and a backslash is doubled only
 * before a delimiter, another backslash, or at the end. `specials` are the
 * backslash and the two delimiters; only they are escapes on reading.
 */
function escapeWith(s: string, bad: Set<number>, specials: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') out += i + 1 === s.length || specials.includes(s[i + 1]) ? '\\\\' : '\\';
    else if (bad.has(i)) out += '\\' + c;
    else out += c;
  }
  return out;
}

const TITLE_ESCAPE = /\\([\\[\]])/g;
const URL_ESCAPE = /\\([\\()])/g;

/** The link text of a title. Brackets stay as they are when they pair up without forming a nested link. */
export function escapeTitle(title: string): string {
  const t = cleanTitle(title);
  // A pair followed by "(" would become a link of its own inside the link text.
  return escapeWith(t, unmatched(t, '[', ']', Infinity, (i) => t[i + 1] === '('), '\\[]');
}

/** The title read back from a link text: the escapes are backslash before [ ] and backslash. */
export function unescapeTitle(text: string): string {
  return text.replace(TITLE_ESCAPE, '$1');
}

/**
 * The URL as it goes in the link destination. Spaces and control characters
 * are percent-encoded (a URL parser does the same, so the URL keeps its
 * meaning); parentheses that do not pair up are backslash-escaped, which
 * Markdown undoes, so the URL read back is the same string.
 */
export function escapeUrl(url: string): string {
  let u = url.replace(/^[\s\x00-\x1F]+|[\s\x00-\x1F]+$/g, '').replace(/[\t\r\n]/g, '');
  u = u.replace(LONE_SURROGATE, '\uFFFD');
  u = u.replace(/[\x00-\x20\x7F-\x9F<>\u2028\u2029]/g, (c) =>
    Array.from(Buffer.from(c, 'utf8'), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
  // CommonMark (cmark) gives up on destinations nested deeper than 32 parentheses.
  return escapeWith(u, unmatched(u, '(', ')', 32, () => false), '\\()');
}

/** The URL read back from a link destination: the escapes are backslash before ( ) and backslash. */
export function unescapeUrl(dest: string): string {
  return dest.replace(URL_ESCAPE, '$1');
}

// Elements whose text keeps its line breaks (textarea too, as raw text below).
const KEEP_BREAKS = new Set(['pre', 'listing']);
// Elements whose content is not markup (no tags inside).
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);

/**
 * The item's HTML on one line. Line breaks are HTML whitespace: a run of
 * whitespace holding a line break becomes one space (none at the very start or
 * end). Inside <pre>, <listing> and <textarea> each line break becomes the
 * character reference `&#10;`, which an HTML parser reads back as the same
 * newline. Control characters are removed; a lone CR (which XML parsers only
 * produce from `&#13;`) is kept: it does not end the line.
 */
export function htmlLine(html: string): string {
  const s = dropControls(html);
  if (!s.includes('\n')) return s;
  const collapse = (t: string, atStart: boolean, atEnd: boolean): string =>
    t.replace(/[\t\f\r ]*\n[\t\n\f\r ]*/g, (m, off: number) =>
      (atStart && off === 0) || (atEnd && off + m.length === t.length) ? '' : ' ',
    );
  const keep = (t: string): string => t.replace(/\r?\n/g, '&#10;');

  let out = '';
  let keepDepth = 0;
  let i = 0;
  const n = s.length;
  const text = (t: string, start: number, end: number): string =>
    keepDepth > 0 ? keep(t) : collapse(t, start === 0, end === n);
  while (i < n) {
    const lt = s.indexOf('<', i);
    if (lt < 0) {
      out += text(s.slice(i), i, n);
      break;
    }
    if (lt > i) out += text(s.slice(i, lt), i, lt);
    const tag = scanTag(s, lt);
    if (!tag) {
      out += text('<', lt, lt + 1);
      i = lt + 1;
      continue;
    }
    const markup = s.slice(lt, tag.end);
    out += markup.includes('\n') ? collapse(markup, lt === 0, tag.end === n) : markup;
    i = tag.end;
    if (!tag.name) continue;
    if (KEEP_BREAKS.has(tag.name)) keepDepth = Math.max(0, keepDepth + (tag.closing ? -1 : 1));
    if (!tag.closing && RAW_TEXT.has(tag.name)) {
      // Raw text runs to the matching end tag; only textarea decodes `&#10;`.
      const m = endTag(tag.name).exec(s.slice(i));
      const end = m ? i + m.index : n;
      const body = s.slice(i, end);
      out += tag.name === 'textarea' ? keep(body) : collapse(body, false, end === n);
      i = end;
    }
  }
  return out;
}

interface Tag {
  end: number;
  /** Lower-case element name; '' for comments, doctypes and processing instructions. */
  name: string;
  closing: boolean;
}

const endTags = new Map<string, RegExp>();
function endTag(name: string): RegExp {
  let re = endTags.get(name);
  if (!re) endTags.set(name, (re = new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'i')));
  return re;
}

const NAME = /[A-Za-z][^\t\n\f\r />]*/y;

/** Recognizes the tag, comment or declaration starting at s[at] === '<' (HTML tokenizer rules, simplified). */
function scanTag(s: string, at: number): Tag | null {
  const next = s[at + 1];
  if (next === '!' || next === '?') {
    if (s.startsWith('<!--', at)) {
      const close = s.indexOf('-->', at + 4);
      return { end: close < 0 ? s.length : close + 3, name: '', closing: false };
    }
    const close = s.indexOf('>', at + 2);
    return { end: close < 0 ? s.length : close + 1, name: '', closing: false };
  }
  const closing = next === '/';
  NAME.lastIndex = at + (closing ? 2 : 1);
  const m = NAME.exec(s);
  if (!m) return null;
  let i = at + (closing ? 2 : 1) + m[0].length;
  let quote = '';
  for (; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '>') {
      return { end: i + 1, name: m[0].toLowerCase(), closing };
    } else if (c === '"' || c === "'") {
      // A quote opens a value only right after "=" (spaces allowed between).
      let j = i - 1;
      while (j > at && (s[j] === ' ' || s[j] === '\t' || s[j] === '\n' || s[j] === '\r' || s[j] === '\f')) j--;
      if (s[j] === '=') quote = c;
    }
  }
  return { end: s.length, name: m[0].toLowerCase(), closing };
}

/** The item file's text. */
export function renderItem(item: ArchiveItem): string {
  const { time, title, url, html } = item;
  if (typeof title !== 'string' || typeof url !== 'string' || typeof html !== 'string') {
    throw new ArchiveFormatError('renderItem: title, url and html must be strings');
  }
  let head = '';
  if (time !== undefined) {
    if (!Number.isSafeInteger(time)) throw new ArchiveFormatError(`renderItem: time must be an integer number of milliseconds, got ${String(time)}`);
    head = `<!--${time}-->\n`;
  }
  return `${head}[${escapeTitle(title)}](${escapeUrl(url)})\n${RULE}\n\n${htmlLine(html)}\n`;
}

/** Splits `[text](dest)` into the raw text and destination; null if the line is no link. */
function splitLink(line: string): { text: string; dest: string } | null {
  if (!line.startsWith('[') || !line.endsWith(')')) return null;
  let depth = 0;
  for (let i = 1; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && (line[i + 1] === '\\' || line[i + 1] === '[' || line[i + 1] === ']')) {
      i++;
    } else if (c === '[') {
      depth++;
    } else if (c === ']') {
      if (depth > 0) depth--;
      else if (line[i + 1] === '(') return { text: line.slice(1, i), dest: line.slice(i + 2, -1) };
      else break;
    }
  }
  // Older files escaped nothing: their own reader took the title up to the first "](".
  const at = line.indexOf('](');
  return at < 0 ? null : { text: line.slice(1, at), dest: line.slice(at + 2, -1) };
}

/**
 * Reads an item file. Also reads the old layout without the timestamp comment;
 * its `日期：<date>` line under the rule, if any, gives the time.
 */
export function readItem(text: string): ArchiveItem {
  if (typeof text !== 'string') throw new ArchiveFormatError('readItem: expected a string');
  let s = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const nl = s.indexOf('\n');
  if (nl > 0 && s[nl - 1] === '\r') s = s.replace(/\r\n/g, '\n'); // checked out with CRLF line ends
  const lines = s.split('\n');
  let i = 0;
  let time: number | undefined;
  const stamp = /^<!--\s*(-?\d{1,15})\s*-->$/.exec(lines[0] ?? '');
  if (stamp) {
    time = Number(stamp[1]);
    i = 1;
  } else if ((lines[0] ?? '').startsWith('<!--')) {
    throw new ArchiveFormatError('line 1: the timestamp comment must be <!--epoch milliseconds-->');
  }
  const link = splitLink(lines[i] ?? '');
  if (!link) throw new ArchiveFormatError(`line ${i + 1}: expected the link line [title](url)`);
  i++;
  if (!/^-{3,}\s*$/.test(lines[i] ?? '')) throw new ArchiveFormatError(`line ${i + 1}: expected the rule ------`);
  i++;
  // Old files may carry lines such as "日期：Thu, 18 Jun 2020 18:31:25 +0000" before the empty line.
  for (; i < lines.length && lines[i] !== ''; i++) {
    const date = /^日期[：:]\s*(.+)$/.exec(lines[i]);
    const t = date ? Date.parse(date[1]) : NaN;
    if (time === undefined && Number.isFinite(t)) time = t;
  }
  if (i >= lines.length) throw new ArchiveFormatError('missing the empty line before the HTML');
  i++;
  let html = lines.slice(i).join('\n');
  if (html.endsWith('\n')) html = html.slice(0, -1);
  const item: ArchiveItem = { title: unescapeTitle(link.text), url: unescapeUrl(link.dest), html };
  if (time !== undefined) item.time = time;
  return item;
}
