// File and directory names that are safe on Linux, macOS and Windows, and the
// percent-encoded links to them used in the lists.

/** The first id of a site; ids count down from here so that a plain listing shows the newest first. */
export const FIRST_ID = 0xfffff;

/** Default bound on a whole file or directory name, in UTF-8 bytes (file systems allow 255). */
export const MAX_NAME_BYTES = 200;

// Windows forbids these in names; their full-width forms read the same in Chinese titles.
const RESERVED: Record<string, string> = {
  '<': '＜', '>': '＞', ':': '：', '"': '＂', '/': '／', '\\': '＼', '|': '｜', '?': '？', '*': '＊',
};

// Control characters, and format characters that can disguise a name (bidi overrides, BOM).
const INVISIBLE = /[\x00-\x1F\x7F-\x9F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Windows device names, reserved with any extension and trailing spaces.
const DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\s*\..*|\s*)$/i;

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** Cuts s to at most maxBytes of UTF-8 without splitting a character (grapheme cluster). */
export function cutBytes(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const { segment } of segmenter.segment(s)) {
    const b = Buffer.byteLength(segment, 'utf8');
    if (bytes + b > maxBytes) break;
    out += segment;
    bytes += b;
  }
  return out;
}

/** A name part: NFC, one line, no control or reserved characters, no surrounding spaces. */
function cleanPart(s: string): string {
  return s
    .normalize('NFC')
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/[\t\n\r\v\f\u2028\u2029\u0085]/g, ' ')
    .replace(INVISIBLE, '')
    .replace(/[<>:"/\\|?*]/g, (c) => RESERVED[c])
    .trim();
}

/** Removes what Windows drops or refuses at the end of a name. */
function trimEnd(s: string): string {
  return s.replace(/[\s.]+$/u, '');
}

/**
 * The directory name of a site: its name made safe. Leading dots become
 * full-width (no hidden directories, no `..`); Windows device names get a `_`.
 */
export function siteDirName(site: string, maxBytes = MAX_NAME_BYTES): string {
  let name = cleanPart(String(site)).replace(/^\.+/, (d) => '．'.repeat(d.length));
  name = trimEnd(cutBytes(name, maxBytes));
  if (DEVICE.test(name)) name = trimEnd(cutBytes('_' + name, maxBytes));
  if (!name) throw new RangeError(`site name ${JSON.stringify(site)} gives an empty directory name`);
  return name;
}

/** The id part of a file name: seven digits, so that a plain listing sorts like the numbers. */
export function idPart(id: number): string {
  return String(id).padStart(7, '0');
}

/**
 * The item file name `<id>_<title>.md`, at most maxBytes in UTF-8: the title is
 * cut on a character boundary, and left out (`<id>.md`) when nothing remains.
 */
export function itemFileName(id: number, title: string, maxBytes = MAX_NAME_BYTES): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`item id must be a non-negative integer, got ${String(id)}`);
  const head = idPart(id);
  const room = maxBytes - Buffer.byteLength(head + '_.md', 'utf8');
  const part = room > 0 ? trimEnd(cutBytes(cleanPart(String(title)), room)) : '';
  return part ? `${head}_${part}.md` : `${head}.md`;
}

/** The id of an item file name (`<id>.md` or `<id>_<title>.md`), or undefined for any other name. */
export function parseItemFileName(name: string): number | undefined {
  const m = /^(\d{1,15})(?:_[^]*)?\.md$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

// Percent-encoded in list links: what the earlier tool's URL resolver encoded
// (space " ' < > \ ^ ` { | } and controls) plus what would break the Markdown
// link or the URL's path: % # ? ( ) [ ].
const LINK_ENCODE = /[\x00-\x20"#%'()<>?[\\\]^`{|}\x7F]/g;

/** One path segment of a list link; non-ASCII characters stay as they are. */
export function encodeLinkSegment(s: string): string {
  return s.replace(LINK_ENCODE, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}
