// Character encoding of a feed document: BOM > HTTP charset > XML declaration > sniffing, the
// way feedparser (RFC 3023) does it, with a few deliberate departures where feedparser's answer
// is garbage (a declared UTF-16 that the bytes contradict, Latin-1 declared for UTF-8 bytes, a
// legacy CJK document with one stray byte). Never throws; whatever was doubtful goes to `errors`.

import { isUtf8 } from 'node:buffer';
import { PY_ALIASES, PY_WHATWG, TABLES } from './codepages.ts';
import { detect } from './detect.ts';
import { decodeWindows1252 } from './cp1252.ts';

export { fixC1 } from './cp1252.ts';

export interface Decoded {
  /** The document as UTF-8 bytes, without any BOM (the input itself when it already was UTF-8). */
  utf8: Uint8Array;
  /** Whether utf8 is known to be valid UTF-8 (always, unless decoding failed outright). */
  valid: boolean;
  /**
   * Name of the decoder actually used, lower case: a WHATWG encoding name ("utf-8", "gbk",
   * "windows-1252", "utf-16le"...), "utf-32le"/"utf-32be", "us-ascii" (an ASCII-only document
   * under an ASCII label), or for code pages TextDecoder lacks the Python codec name ("cp437",
   * "cp037", "mac-cyrillic"...).
   */
  encoding: string;
  /**
   * The label that was honoured as given (HTTP charset or XML declaration, or the RFC 3023
   * default "us-ascii"/"utf-8" when none was given), lower case; absent for BOM, sniffing, detection.
   */
  label?: string;
  /** Problems that make the document bozo (mismatched declaration, undecodable bytes...). */
  errors: string[];
  /** Where the encoding came from. */
  source: 'bom' | 'http' | 'declaration' | 'default' | 'detected' | 'fallback';
  /** The encoding="..." of the XML declaration, lower case, if any. */
  declared?: string;
  /** chardet's name of a statistically detected encoding ("Big5", "EUC-KR"...). */
  detected?: string;
  /** The media type of the Content-Type header, lower case, if one was given. */
  mediaType?: string;
}

type Kind = 'utf8' | 'ascii' | 'utf16le' | 'utf16be' | 'utf32le' | 'utf32be' | 'utf16' | 'utf32' | 'whatwg' | 'table';

interface Codec {
  kind: Kind;
  /** Decoder name reported in Decoded.encoding. */
  name: string;
}

const UTF16_LABELS = new Set(['utf-16', 'utf16', 'utf_16', 'u16', 'ucs-2', 'ucs2', 'iso-10646-ucs-2', 'csunicode', 'unicode']);
const UTF32_LABELS = new Set(['utf-32', 'utf32', 'utf_32', 'u32', 'ucs-4', 'ucs4', 'iso-10646-ucs-4', 'csucs4']);
const UNICODE_KINDS: Record<string, Kind> = {
  'utf-16le': 'utf16le', 'utf-16be': 'utf16be', 'utf-32le': 'utf32le', 'utf-32be': 'utf32be',
  utf_16_le: 'utf16le', utf_16_be: 'utf16be', utf_32_le: 'utf32le', utf_32_be: 'utf32be',
  utf_16: 'utf16', utf_32: 'utf32', utf_8: 'utf8', utf_8_sig: 'utf8',
};
const KIND_NAME: Partial<Record<Kind, string>> = {
  utf8: 'utf-8', ascii: 'us-ascii', utf16: 'utf-16', utf32: 'utf-32',
  utf16le: 'utf-16le', utf16be: 'utf-16be', utf32le: 'utf-32le', utf32be: 'utf-32be',
};

const codecCache = new Map<string, Codec | null>();

/** The codec a charset label names (WHATWG labels first, then Python's), or undefined. */
export function resolveLabel(label: string): Codec | undefined {
  const key = label.trim().toLowerCase();
  let codec = codecCache.get(key);
  if (codec === undefined) {
    codec = lookup(key) ?? null;
    if (codecCache.size < 1000) codecCache.set(key, codec);
  }
  return codec ?? undefined;
}

function lookup(l: string): Codec | undefined {
  if (!l || l.length > 64) return undefined;
  if (UTF16_LABELS.has(l)) return { kind: 'utf16', name: 'utf-16' };
  if (UTF32_LABELS.has(l)) return { kind: 'utf32', name: 'utf-32' };
  const py = pythonCanonical(l);
  // ASCII is strict, as in Python: WHATWG would read "us-ascii" as windows-1252.
  if (py === 'ascii') return { kind: 'ascii', name: 'us-ascii' };
  const uk = UNICODE_KINDS[l] ?? (py ? UNICODE_KINDS[py] : undefined);
  if (uk) return { kind: uk, name: KIND_NAME[uk]! };
  const w = whatwgName(l);
  if (w) return w === 'utf-8' ? { kind: 'utf8', name: w } : w === 'utf-16le' ? { kind: 'utf16le', name: w } : w === 'utf-16be' ? { kind: 'utf16be', name: w } : { kind: 'whatwg', name: w };
  if (py && TABLES[py]) return { kind: 'table', name: py.replace(/_/g, '-') };
  const pw = py ? PY_WHATWG[py] : undefined;
  if (pw) return lookup(pw);
  return undefined;
}

function whatwgName(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

/** Python's codec lookup: lower case, punctuation runs as "_", then the alias table. */
function pythonCanonical(label: string): string | undefined {
  const norm = label.replace(/[^a-z0-9.]+/g, '_').replace(/^_+|_+$/g, '');
  const hit = PY_ALIASES[norm] ?? PY_ALIASES[norm.replace(/\./g, '_')];
  if (hit) return hit;
  if (TABLES[norm] || PY_WHATWG[norm]) return norm;
  return undefined;
}

// ---------------------------------------------------------------------------------------------

interface Start {
  /** Encoding stated by a byte order mark, or implied by the NUL/EBCDIC pattern of "<?". */
  codec?: Codec;
  bom: number;
  /** true for a real BOM, false for a pattern guess. */
  isBom: boolean;
  ebcdic: boolean;
}

function sniffStart(b: Uint8Array): Start {
  const [b0, b1, b2, b3] = [b[0], b[1], b[2], b[3]];
  const n = b.length;
  if (n >= 3 && b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { codec: { kind: 'utf8', name: 'utf-8' }, bom: 3, isBom: true, ebcdic: false };
  if (n >= 4 && b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return { codec: { kind: 'utf32le', name: 'utf-32le' }, bom: 4, isBom: true, ebcdic: false };
  if (n >= 4 && b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return { codec: { kind: 'utf32be', name: 'utf-32be' }, bom: 4, isBom: true, ebcdic: false };
  if (n >= 2 && b0 === 0xfe && b1 === 0xff) return { codec: { kind: 'utf16be', name: 'utf-16be' }, bom: 2, isBom: true, ebcdic: false };
  if (n >= 2 && b0 === 0xff && b1 === 0xfe) return { codec: { kind: 'utf16le', name: 'utf-16le' }, bom: 2, isBom: true, ebcdic: false };
  if (n >= 4) {
    if (b0 === 0 && b1 === 0 && b2 === 0 && b3 !== 0) return { codec: { kind: 'utf32be', name: 'utf-32be' }, bom: 0, isBom: false, ebcdic: false };
    if (b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0) return { codec: { kind: 'utf32le', name: 'utf-32le' }, bom: 0, isBom: false, ebcdic: false };
    if (b0 === 0 && b1 !== 0 && b2 === 0 && b3 !== 0) return { codec: { kind: 'utf16be', name: 'utf-16be' }, bom: 0, isBom: false, ebcdic: false };
    if (b0 !== 0 && b1 === 0 && b2 !== 0 && b3 === 0) return { codec: { kind: 'utf16le', name: 'utf-16le' }, bom: 0, isBom: false, ebcdic: false };
    // "<?xm" in EBCDIC.
    if (b0 === 0x4c && b1 === 0x6f && b2 === 0xa7 && b3 === 0x94) return { codec: { kind: 'table', name: 'cp037' }, bom: 0, isBom: false, ebcdic: true };
  }
  return { bom: 0, isBom: false, ebcdic: false };
}

const DECL_RE = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*(?:"([^"<>]{0,80})"|'([^'<>]{0,80})')/;

/** The encoding label of the XML declaration, read in the document's byte pattern. */
function readDeclaration(body: Uint8Array, start: Start): string | undefined {
  const head = body.subarray(0, 1024);
  let text: string;
  if (start.codec && start.codec.kind !== 'utf8') {
    const r = decodeWith(start.codec, head, true);
    text = r.text ?? "";
  } else {
    text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  }
  const m = DECL_RE.exec(text);
  const label = m ? (m[1] ?? m[2] ?? '').trim().toLowerCase() : undefined;
  return label || undefined;
}

function parseContentType(ct: string): { mediaType: string; charset?: string } {
  const parts = ct.split(';');
  const mediaType = parts[0].trim().toLowerCase();
  let charset: string | undefined;
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    charset = p.slice(eq + 1).trim().replace(/^["']+|["']+$/g, '').trim().toLowerCase() || undefined;
  }
  return { mediaType, charset };
}

// ---------------------------------------------------------------------------------------------

interface Result {
  text?: string;
  /** Already UTF-8 (no transcoding needed). */
  same?: boolean;
  errors: number;
  chars: number;
}

const fatalDecoders = new Map<string, TextDecoder>();
const lenientDecoders = new Map<string, TextDecoder>();

function textDecoder(name: string, fatal: boolean): TextDecoder {
  const cache = fatal ? fatalDecoders : lenientDecoders;
  let d = cache.get(name);
  if (!d) {
    d = new TextDecoder(name, { fatal, ignoreBOM: true });
    cache.set(name, d);
  }
  return d;
}

/** Decode; `lenient` replaces bad sequences with U+FFFD and counts them instead of failing. */
function decodeWith(codec: Codec, body: Uint8Array, lenient: boolean): Result {
  switch (codec.kind) {
    case 'utf8':
      if (isUtf8(body)) return { same: true, errors: 0, chars: 0 };
      if (!lenient) return { errors: 1, chars: 0 };
      return countRepl(textDecoder('utf-8', false).decode(body));
    case 'ascii':
      for (let i = 0; i < body.length; i++) if (body[i] >= 0x80) return lenient ? countRepl(asciiLenient(body)) : { errors: 1, chars: 0 };
      return { same: true, errors: 0, chars: 0 };
    case 'utf16':
    case 'utf16le':
    case 'utf16be':
    case 'whatwg': {
      if (codec.name === 'windows-1252') return { text: decodeWindows1252(body), errors: 0, chars: 0 };
      const name = codec.kind === 'utf16be' ? 'utf-16be' : codec.kind === 'whatwg' ? codec.name : 'utf-16le';
      if (!lenient) {
        try {
          return { text: textDecoder(name, true).decode(body), errors: 0, chars: 0 };
        } catch {
          return { errors: 1, chars: 0 };
        }
      }
      return countRepl(textDecoder(name, false).decode(body));
    }
    case 'utf32':
    case 'utf32le':
    case 'utf32be':
      return utf32(body, codec.kind !== 'utf32be');
    case 'table':
      return table(TABLES[codec.name.replace(/-/g, '_')], body, lenient);
  }
}

function countRepl(text: string): Result {
  let errors = 0;
  let chars = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      chars++;
      if (c === 0xfffd) errors++;
    }
  }
  return { text, errors, chars };
}

function asciiLenient(body: Uint8Array): string {
  let s = '';
  for (let i = 0; i < body.length; i += 8192) {
    const part = Array.from(body.subarray(i, i + 8192), (b) => (b < 0x80 ? b : 0xfffd));
    s += String.fromCharCode(...part);
  }
  return s;
}

function utf32(body: Uint8Array, le: boolean): Result {
  const parts: string[] = [];
  const chunk: number[] = [];
  let errors = 0;
  let chars = 0;
  const end = body.length - (body.length % 4);
  for (let i = 0; i < end; i += 4) {
    const cp = le
      ? body[i] | (body[i + 1] << 8) | (body[i + 2] << 16) | (body[i + 3] << 24)
      : (body[i] << 24) | (body[i + 1] << 16) | (body[i + 2] << 8) | body[i + 3];
    let c = cp >>> 0;
    if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
      c = 0xfffd;
      errors++;
    }
    if (c >= 0x80) chars++;
    chunk.push(c);
    if (chunk.length >= 8192) {
      parts.push(String.fromCodePoint(...chunk));
      chunk.length = 0;
    }
  }
  if (end < body.length) {
    chunk.push(0xfffd);
    errors++;
  }
  if (chunk.length) parts.push(String.fromCodePoint(...chunk));
  return { text: parts.join(''), errors, chars };
}

const tableUnits = new Map<string, Uint16Array>();
const utf16le = new TextDecoder('utf-16le');

/** A single-byte code page: one typed-array lookup per byte, one native UTF-16 decode. */
function table(t: string | undefined, body: Uint8Array, lenient: boolean): Result {
  if (!t) return { errors: 1, chars: 0 };
  let map = tableUnits.get(t);
  if (!map) {
    map = new Uint16Array(256);
    const off = t.length === 128 ? 128 : 0;
    for (let b = 0; b < 256; b++) map[b] = b < off ? b : t.charCodeAt(b - off);
    tableUnits.set(t, map);
  }
  const units = new Uint16Array(body.length);
  let errors = 0;
  let chars = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    const u = map[b]!;
    if (u === 0xfffd) {
      if (!lenient) return { errors: 1, chars: 0 };
      errors++;
    }
    if (b >= 0x80) chars++;
    units[i] = u;
  }
  return { text: utf16le.decode(units), errors, chars };
}

// Python's cp1252 leaves these five bytes undefined; feedparser then moves on to iso-8859-2.
function strictCp1252(body: Uint8Array): boolean {
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if (b === 0x81 || b === 0x8d || b === 0x8f || b === 0x90 || b === 0x9d) return false;
  }
  return true;
}

const is16 = (k: Kind) => k === 'utf16' || k === 'utf16le' || k === 'utf16be';
const is32 = (k: Kind) => k === 'utf32' || k === 'utf32le' || k === 'utf32be';
const singleByte = (c: Codec) => c.kind === 'table' || c.kind === 'ascii' || (c.kind === 'whatwg' && SINGLE_BYTE_WHATWG.has(c.name));
const SINGLE_BYTE_WHATWG = new Set([
  'ibm866', 'iso-8859-2', 'iso-8859-3', 'iso-8859-4', 'iso-8859-5', 'iso-8859-6', 'iso-8859-7', 'iso-8859-8',
  'iso-8859-8-i', 'iso-8859-10', 'iso-8859-13', 'iso-8859-14', 'iso-8859-15', 'iso-8859-16', 'koi8-r', 'koi8-u',
  'macintosh', 'windows-874', 'windows-1250', 'windows-1251', 'windows-1252', 'windows-1253', 'windows-1254',
  'windows-1255', 'windows-1256', 'windows-1257', 'windows-1258', 'x-mac-cyrillic',
]);

// Too many replacement characters and a declared encoding is taken to be wrong rather than
// merely sloppy: 1 bad sequence in 50 non-ASCII characters.
const TOLERANCE = 50;

const XML_TYPES = new Set(['application/xml', 'application/xml-dtd', 'application/xml-external-parsed-entity']);
const TEXT_XML_TYPES = new Set(['text/xml', 'text/xml-external-parsed-entity']);
const JSON_TYPES = new Set(['application/json', 'application/feed+json']);

interface Candidate {
  label: string;
  source: Decoded['source'];
}

/** Decide the encoding of a feed document from BOM, HTTP charset, XML declaration and the bytes. */
export function decode(bytes: Uint8Array, contentType?: string): Decoded {
  try {
    return decodeUnsafe(bytes, contentType);
  } catch (err) {
    // Never reached in practice; a bug here must still leave the caller with a document.
    return { utf8: bytes, valid: false, encoding: 'utf-8', source: 'fallback', errors: [`CharacterEncodingUnknown: ${(err as Error)?.message}`] };
  }
}

function decodeUnsafe(bytes: Uint8Array, contentType?: string): Decoded {
  const errors: string[] = [];
  const start = sniffStart(bytes);
  const body = start.bom ? bytes.subarray(start.bom) : bytes;
  const declared = readDeclaration(body, start);

  // RFC 3023, as feedparser applies it.
  let mediaType: string | undefined;
  let first: Candidate;
  if (contentType !== undefined && contentType.trim() !== '') {
    const ct = parseContentType(contentType);
    mediaType = ct.mediaType;
    const httpOr = (fallback: Candidate): Candidate =>
      ct.charset ? { label: ct.charset, source: 'http' } : fallback;
    const decl: Candidate | undefined = declared ? { label: declared, source: 'declaration' } : undefined;
    const mt = mediaType;
    if (XML_TYPES.has(mt) || (mt.startsWith('application/') && mt.endsWith('+xml'))) {
      first = httpOr(decl ?? { label: 'utf-8', source: 'default' });
    } else if (TEXT_XML_TYPES.has(mt) || (mt.startsWith('text/') && mt.endsWith('+xml'))) {
      first = httpOr({ label: 'us-ascii', source: 'default' });
    } else if (JSON_TYPES.has(mt)) {
      first = httpOr(decl ?? { label: 'utf-8', source: 'default' });
    } else if (mt.startsWith('text/')) {
      errors.push(`NonXMLContentType: ${contentType.trim()} is not an XML media type`);
      first = httpOr({ label: 'us-ascii', source: 'default' });
    } else {
      errors.push(`NonXMLContentType: ${contentType.trim()} is not an XML media type`);
      first = httpOr(decl ?? { label: 'utf-8', source: 'default' });
    }
  } else {
    first = declared ? { label: declared, source: 'declaration' } : { label: 'utf-8', source: 'default' };
  }

  const done = (codec: Codec, source: Decoded['source'], label: string | undefined, r: Result, extra?: Partial<Decoded>): Decoded => {
    const utf8 = r.same ? body : Buffer.from(r.text ?? '', 'utf8');
    const out: Decoded = { utf8, valid: true, encoding: codec.name, source, errors, ...extra };
    if (label !== undefined) out.label = label;
    if (declared !== undefined) out.declared = declared;
    if (mediaType !== undefined) out.mediaType = mediaType;
    return out;
  };
  const override = (from: Candidate, to: string) => {
    if (errors.some((e) => e.startsWith(`CharacterEncodingOverride: document declared as ${from.label},`))) return;
    errors.push(`CharacterEncodingOverride: document declared as ${from.label}, but parsed as ${to}`);
  };

  // 1. A byte order mark, or a 16/32-bit pattern, settles it: no declaration can be read otherwise.
  if (start.codec && !start.ebcdic) {
    const codec = start.codec;
    const stated = [first, declared && first.label !== declared ? { label: declared, source: 'declaration' as const } : undefined];
    for (const c of stated) {
      if (!c || c.source === 'default') continue;
      const rc = resolveLabel(c.label);
      const fits = rc && (rc.name === codec.name || (is16(rc.kind) && is16(codec.kind)) || (is32(rc.kind) && is32(codec.kind)) || (rc.kind === 'ascii' && codec.kind === 'utf8'));
      if (!fits) override(c, codec.name);
    }
    const r = decodeWith(codec, body, false);
    if (r.errors) {
      const lr = decodeWith(codec, body, true);
      errors.push(`CharacterEncodingUnknown: ${lr.errors} invalid byte sequence(s) for ${codec.name}, replaced`);
      return done(codec, 'bom', undefined, lr);
    }
    return done(codec, 'bom', undefined, r);
  }

  // 2. The stated encodings, strictly, in order.
  const utf8Valid = isUtf8(body);
  // Non-ASCII bytes, counted (only when needed) up to where valid UTF-8 is beyond coincidence.
  let high = -1;
  const highBytes = () => {
    if (high < 0) {
      high = 0;
      for (let i = 0; i < body.length && high < 16; i++) if (body[i] >= 0x80) high++;
    }
    return high;
  };
  const stated: Candidate[] = [first];
  if (declared && declared !== first.label) stated.push({ label: declared, source: 'declaration' });
  const failed: { cand: Candidate; codec: Codec }[] = [];
  for (const cand of stated) {
    const codec = resolveLabel(cand.label);
    if (!codec) {
      errors.push(`CharacterEncodingUnknown: unknown encoding label "${cand.label}"`);
      continue;
    }
    if (start.ebcdic) {
      const t = codec.kind === 'table' ? TABLES[codec.name.replace(/-/g, '_')] : undefined;
      if (!t || t.length !== 256 || t[0x4c] !== '<' || t[0x6f] !== '?') continue;
    } else if (is16(codec.kind) || is32(codec.kind)) {
      // Declared as UTF-16/32 but readable as ASCII: the declaration is wrong.
      errors.push(`CharacterEncodingOverride: document declared as ${cand.label}, but its bytes are 8-bit`);
      continue;
    }
    // A legacy encoding declared for what is plainly UTF-8 (Latin-1 headers on UTF-8 feeds, a
    // server-wide "charset=GBK"): believe the bytes. Legacy text is almost never valid UTF-8 by
    // chance: for single-byte codes one non-ASCII byte decides, for CJK codes a few more.
    const legacy = codec.kind === 'whatwg' || codec.kind === 'table' || codec.kind === 'ascii';
    if (utf8Valid && legacy && cand.source !== 'default' && highBytes() >= (singleByte(codec) ? 1 : 8)) {
      override(cand, 'utf-8');
      return done({ kind: 'utf8', name: 'utf-8' }, 'fallback', undefined, { same: true, errors: 0, chars: 0 });
    }
    const r = codec.kind === 'utf8' && utf8Valid ? { same: true, errors: 0, chars: 0 } : decodeWith(codec, body, false);
    if (!r.errors) {
      if (cand !== first) override(first, codec.name);
      return done(codec, cand.source, cand.label, r);
    }
    failed.push({ cand, codec });
  }

  // 3. A stated encoding that fails on a few stray bytes is still the best reading.
  for (const { cand, codec } of failed) {
    const r = decodeWith(codec, body, true);
    if (r.errors * TOLERANCE <= r.chars) {
      if (cand !== first) override(first, codec.name);
      errors.push(`CharacterEncodingUnknown: ${r.errors} invalid byte sequence(s) for ${cand.label}, replaced`);
      return done(codec, cand.source, cand.label, r);
    }
  }

  // 4. Sniffing: UTF-8, a statistical guess, then feedparser's last resorts.
  if (utf8Valid) {
    if (first.label !== 'utf-8' || first.source !== 'default') {
      const fc = resolveLabel(first.label);
      if (!fc || fc.kind !== 'utf8') override(first, 'utf-8');
    }
    return done({ kind: 'utf8', name: 'utf-8' }, 'fallback', undefined, { same: true, errors: 0, chars: 0 });
  }
  const guess = start.ebcdic ? undefined : detect(body);
  if (guess) {
    const codec: Codec = TABLES[guess.decoder] ? { kind: 'table', name: guess.decoder.replace(/_/g, '-') } : { kind: 'whatwg', name: guess.decoder };
    const r = decodeWith(codec, body, true);
    override(first, guess.name);
    return done(codec, 'detected', undefined, r, { detected: guess.name });
  }
  if (start.ebcdic) {
    const codec: Codec = { kind: 'table', name: 'cp037' };
    override(first, 'cp037');
    return done(codec, 'fallback', undefined, decodeWith(codec, body, true));
  }
  const latin: Codec = strictCp1252(body) ? { kind: 'whatwg', name: 'windows-1252' } : { kind: 'whatwg', name: 'iso-8859-2' };
  override(first, latin.name);
  return done(latin, 'fallback', undefined, decodeWith(latin, body, false));
}

/**
 * The name feedparser would report for this decoding (its `encoding` result key): the label as
 * declared, "gb18030" for GB2312, the BOM's encoding, chardet's name for a detected one.
 */
export function pythonCodecName(d: Decoded): string {
  if (d.source === 'detected' && d.detected) return d.detected;
  if ((d.source === 'http' || d.source === 'declaration' || d.source === 'default') && d.label) {
    return d.label === 'gb2312' ? 'gb18030' : d.label;
  }
  return d.encoding;
}
