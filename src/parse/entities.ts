// Entity and character-reference decoding for feed XML. Real feeds use HTML entities
// (&nbsp; &eacute;) and bare ampersands that XML forbids: both are decoded or kept as a
// person would read them, and reported so the document is flagged.
import { htmlEntities } from './entities-table.ts';

const html = new Map<string, string>(Object.entries(htmlEntities));
const xmlPredefined = new Map<string, string>([
  ['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"'], ['apos', "'"],
]);

/** Internal entities declared in the document's DTD, with a budget against entity bombs. */
export class DocEntities {
  readonly declared = new Map<string, string>();
  readonly external = new Set<string>();
  /** Characters that expansion may still produce in this document. */
  budget = 1 << 20;
  exhausted = false;
}

export interface EntityContext {
  doc?: DocEntities;
  /** Called once per problem kind; the document becomes bozo. */
  problem(message: string): void;
}

const MAX_DEPTH = 8;

function codePoint(ref: string): string | undefined {
  const hex = ref.charCodeAt(1) === 0x78 || ref.charCodeAt(1) === 0x58;
  const n = hex ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
  if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
  // Windows-1252 code points written as references (&#150;) mean the cp1252 character, as browsers read them.
  if (n >= 0x80 && n <= 0x9f) return cp1252[n - 0x80] ?? String.fromCodePoint(n);
  return String.fromCodePoint(n);
}

const cp1252: (string | undefined)[] = [
  '\u20ac', undefined, '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021', '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', undefined, '\u017d', undefined,
  undefined, '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014', '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', undefined, '\u017e', '\u0178',
];

/**
 * The text a reference `&name;` stands for (name without `&` and `;`, `#...` for character
 * references), or undefined when it stands for nothing and is kept literally. Problems go to ctx.
 */
export function reference(name: string, ctx: EntityContext, depth = 0): string | undefined {
  let rep: string | undefined;
  if (name.charCodeAt(0) === 0x23) {
    rep = codePoint(name);
    if (rep === undefined) ctx.problem(`invalid character reference &${name};`);
  } else {
    rep = xmlPredefined.get(name);
    if (rep === undefined) rep = expandDeclared(name, ctx, depth);
    if (rep === undefined) {
      rep = html.get(name);
      if (rep !== undefined) ctx.problem(`undefined entity &${name}; (read as HTML)`);
      else ctx.problem(`undefined entity &${name};`);
    }
  }
  return rep;
}

/**
 * Decode entity and character references in XML character data or attribute values.
 * Unknown or malformed references are kept literally (a bare `&` stays `&`).
 */
export function decodeEntities(text: string, ctx: EntityContext, depth = 0): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  let out = '';
  let last = 0;
  const len = text.length;
  while (amp !== -1) {
    // A reference is at most ~32 characters; anything longer is a bare ampersand.
    let semi = -1;
    const limit = Math.min(len, amp + 34);
    for (let i = amp + 1; i < limit; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x3b) { semi = i; break; }
      const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x23 || c === 0x5f || c === 0x2d || c === 0x2e || c > 0x7f;
      if (!ok) break;
    }
    if (semi === -1) {
      ctx.problem('bare "&" (not an entity reference)');
      amp = text.indexOf('&', amp + 1);
      continue;
    }
    const rep = reference(text.slice(amp + 1, semi), ctx, depth);
    if (rep !== undefined) {
      out += text.slice(last, amp) + rep;
      last = semi + 1;
    }
    amp = text.indexOf('&', semi + 1);
  }
  return last === 0 ? text : out + text.slice(last);
}

function expandDeclared(name: string, ctx: EntityContext, depth: number): string | undefined {
  const doc = ctx.doc;
  if (!doc) return undefined;
  if (doc.external.has(name)) {
    ctx.problem(`external entity &${name}; not loaded`);
    return '';
  }
  const value = doc.declared.get(name);
  if (value === undefined) return undefined;
  if (doc.exhausted) return '';
  if (depth >= MAX_DEPTH) {
    ctx.problem('entity expansion too deep');
    doc.exhausted = true;
    return '';
  }
  const expanded = value.indexOf('&') === -1 ? value : decodeEntities(value, ctx, depth + 1);
  doc.budget -= expanded.length;
  if (doc.budget < 0 || doc.exhausted) {
    if (!doc.exhausted) ctx.problem('entity expansion limit reached');
    doc.exhausted = true;
    return '';
  }
  return expanded;
}

/** Parse the internal subset of a DOCTYPE for general entity declarations. External ones are never read. */
export function readDoctype(decl: string, doc: DocEntities, ctx: EntityContext): void {
  const re = /<!ENTITY\s+(%\s+)?([^\s"'>]+)\s+(?:(SYSTEM|PUBLIC)\b[^>]*|"([^"]*)"|'([^']*)')\s*>/g;
  let m: RegExpExecArray | null;
  let count = 0;
  while ((m = re.exec(decl)) !== null) {
    if (++count > 10000) {
      ctx.problem('too many entity declarations');
      break;
    }
    if (m[1]) {
      ctx.problem('parameter entities are not supported');
      continue;
    }
    const name = m[2]!;
    if (m[3]) {
      doc.external.add(name);
      continue;
    }
    if (!doc.declared.has(name)) doc.declared.set(name, m[4] ?? m[5] ?? '');
  }
}
