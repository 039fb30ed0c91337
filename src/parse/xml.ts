// A forgiving XML scanner over UTF-8 bytes. It finds markup with native byte searches and hands
// character data to the handler as byte ranges, so text is decoded only where the caller keeps it.
// Never throws: every deviation from XML is reported through `problem` and scanning goes on.

export interface Attr {
  name: string;
  value: string;
}

export interface XmlHandler {
  start(name: string, attrs: Attr[], selfClosing: boolean, pos: number): void;
  end(name: string, pos: number): void;
  /** Raw character data, entities not yet decoded. */
  text(start: number, end: number): void;
  cdata(start: number, end: number): void;
  /** The whole `<!DOCTYPE ...>` declaration. */
  doctype(decl: string): void;
  problem(message: string, pos: number): void;
  /** Decode entity references in an attribute value. */
  attrValue(raw: string): string;
}

const LT = 0x3c, GT = 0x3e, SLASH = 0x2f, BANG = 0x21, QM = 0x3f, EQ = 0x3d, DQ = 0x22, SQ = 0x27, DASH = 0x2d, LSQB = 0x5b;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0x80;
}

const CDATA_OPEN = Buffer.from('[CDATA[');
const CDATA_CLOSE = Buffer.from(']]>');
const COMMENT_CLOSE = Buffer.from('-->');
const PI_CLOSE = Buffer.from('?>');

export function scanXml(buf: Buffer, from: number, h: XmlHandler): void {
  const len = buf.length;
  let pos = from;
  while (pos < len) {
    const lt = buf.indexOf(LT, pos);
    if (lt === -1) {
      h.text(pos, len);
      return;
    }
    if (lt > pos) h.text(pos, lt);
    const c = buf[lt + 1];
    if (c === SLASH) {
      pos = endTag(buf, lt, h);
    } else if (c === BANG) {
      pos = declaration(buf, lt, h);
    } else if (c === QM) {
      const end = buf.indexOf(PI_CLOSE, lt + 2);
      if (end === -1) {
        h.problem('unterminated processing instruction', lt);
        return;
      }
      pos = end + 2;
    } else if (c !== undefined && isNameStart(c)) {
      pos = startTag(buf, lt, h);
    } else {
      h.problem('"<" not starting markup', lt);
      h.text(lt, lt + 1);
      pos = lt + 1;
    }
  }
}

// Names and short attribute values repeat on every item (item, title, link, type="html"):
// an ASCII string seen before is returned from this table instead of being decoded again.
const SLOTS = 1024;
type Latin1 = Buffer & { latin1Slice(start: number, end: number): string };
const interned: string[] = new Array<string>(SLOTS).fill('');

function readInterned(buf: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n === 0 || n > 40) return buf.toString('utf8', start, end);
  let h = n;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    h = (Math.imul(h, 31) + c) | 0;
  }
  const slot = (h ^ (h >>> 10)) & (SLOTS - 1);
  const known = interned[slot]!;
  if (known.length === n) {
    let k = 0;
    while (k < n && known.charCodeAt(k) === buf[start + k]) k++;
    if (k === n) return known;
  }
  const s = (buf as Latin1).latin1Slice(start, end);
  interned[slot] = s;
  return s;
}

function endTag(buf: Buffer, lt: number, h: XmlHandler): number {
  const len = buf.length;
  let p = lt + 2;
  const s = p;
  while (p < len) {
    const c = buf[p]!;
    if (isSpace(c) || c === GT || c === LT) break;
    p++;
  }
  const name = readInterned(buf, s, p);
  while (p < len && isSpace(buf[p]!)) p++;
  if (p >= len) {
    h.problem('document ends inside an end tag', lt);
    if (name) h.end(name, lt);
    return len;
  }
  if (buf[p] !== GT) {
    h.problem(`malformed end tag </${name}>`, lt);
    const gt = buf.indexOf(GT, p);
    const nextLt = buf.indexOf(LT, p);
    if (name) h.end(name, lt);
    if (gt === -1) return len;
    return nextLt !== -1 && nextLt < gt ? nextLt : gt + 1;
  }
  h.end(name, lt);
  return p + 1;
}

function startsWithAt(buf: Buffer, at: number, what: Buffer): boolean {
  if (at + what.length > buf.length) return false;
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
}

function declaration(buf: Buffer, lt: number, h: XmlHandler): number {
  const len = buf.length;
  if (buf[lt + 2] === DASH && buf[lt + 3] === DASH) {
    const end = buf.indexOf(COMMENT_CLOSE, lt + 4);
    if (end === -1) {
      h.problem('unterminated comment', lt);
      return len;
    }
    return end + 3;
  }
  if (startsWithAt(buf, lt + 2, CDATA_OPEN)) {
    const s = lt + 9;
    const end = buf.indexOf(CDATA_CLOSE, s);
    if (end === -1) {
      h.problem('unterminated CDATA section', lt);
      h.cdata(s, len);
      return len;
    }
    h.cdata(s, end);
    return end + 3;
  }
  const word = buf.toString('latin1', lt + 2, Math.min(len, lt + 9)).toUpperCase();
  if (word === 'DOCTYPE') return doctype(buf, lt, h);
  h.problem('unknown markup declaration', lt);
  const gt = buf.indexOf(GT, lt + 2);
  return gt === -1 ? len : gt + 1;
}

function doctype(buf: Buffer, lt: number, h: XmlHandler): number {
  const len = buf.length;
  let p = lt + 9;
  let quote = 0;
  let inSubset = false;
  for (; p < len; p++) {
    const c = buf[p]!;
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === DQ || c === SQ) quote = c;
    else if (c === LSQB) inSubset = true;
    else if (c === 0x5d) inSubset = false;
    else if (c === GT && !inSubset) break;
  }
  if (p >= len) {
    h.problem('unterminated DOCTYPE', lt);
    return len;
  }
  h.doctype(buf.toString('utf8', lt, p + 1));
  return p + 1;
}

// Elements have a handful of attributes; hostile ones have thousands, checked through a set.
const seen = new Set<string>();
let seenFor: Attr[] | null = null;

function isDuplicate(attrs: Attr[], name: string): boolean {
  if (attrs.length < 16) {
    for (let i = 0; i < attrs.length; i++) if (attrs[i]!.name === name) return true;
    return false;
  }
  if (seenFor !== attrs) {
    seen.clear();
    for (const a of attrs) seen.add(a.name);
    seenFor = attrs;
  }
  if (seen.has(name)) return true;
  seen.add(name);
  return false;
}

function startTag(buf: Buffer, lt: number, h: XmlHandler): number {
  const len = buf.length;
  let p = lt + 1;
  const s = p;
  while (p < len) {
    const c = buf[p]!;
    if (isSpace(c) || c === GT || c === SLASH || c === LT) break;
    p++;
  }
  const name = readInterned(buf, s, p);
  const attrs: Attr[] = [];
  for (;;) {
    while (p < len && isSpace(buf[p]!)) p++;
    if (p >= len) {
      h.problem(`document ends inside the tag <${name}>`, lt);
      return len;
    }
    const c = buf[p]!;
    if (c === GT) {
      h.start(name, attrs, false, lt);
      return p + 1;
    }
    if (c === SLASH) {
      if (buf[p + 1] === GT) {
        h.start(name, attrs, true, lt);
        return p + 2;
      }
      p++;
      continue;
    }
    if (c === LT) {
      h.problem(`unclosed tag <${name}>`, lt);
      h.start(name, attrs, false, lt);
      return p;
    }
    // Attribute name.
    const ns = p;
    while (p < len) {
      const d = buf[p]!;
      if (isSpace(d) || d === EQ || d === GT || d === LT || (d === SLASH && buf[p + 1] === GT)) break;
      p++;
    }
    const attrName = readInterned(buf, ns, p);
    while (p < len && isSpace(buf[p]!)) p++;
    if (buf[p] !== EQ) {
      h.problem(`attribute ${attrName} without value in <${name}>`, ns);
      attrs.push({ name: attrName, value: '' });
      continue;
    }
    p++;
    while (p < len && isSpace(buf[p]!)) p++;
    const q = buf[p];
    let raw: string;
    if (q === DQ || q === SQ) {
      const end = buf.indexOf(q, p + 1);
      if (end === -1) {
        h.problem(`unterminated attribute value in <${name}>`, p);
        return len;
      }
      raw = readInterned(buf, p + 1, end);
      p = end + 1;
    } else {
      const vs = p;
      while (p < len) {
        const d = buf[p]!;
        if (isSpace(d) || d === GT || d === LT) break;
        p++;
      }
      raw = readInterned(buf, vs, p);
      h.problem(`unquoted attribute value in <${name}>`, vs);
    }
    if (raw.indexOf('<') !== -1) h.problem(`"<" in attribute value in <${name}>`, p);
    const value = raw.indexOf('&') === -1 ? raw : h.attrValue(raw);
    if (isDuplicate(attrs, attrName)) h.problem(`duplicate attribute ${attrName} in <${name}>`, ns);
    else attrs.push({ name: attrName, value });
  }
}
