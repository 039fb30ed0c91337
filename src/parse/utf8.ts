// Decoding of kept character data: UTF-8 bytes to a string, with entity and character references
// decoded in the same pass. V8's own UTF-8 decoder manages about 200 MB/s on Chinese text, where
// this loop into a reused UTF-16 buffer, copied out in one call, runs 3 times as fast, and the
// same loop in WebAssembly 5 times; in a full-text feed that decoding is most of the parse. Both
// rely on the document being valid UTF-8, as the decoder's output is. Anything unusual
// (references with non-ASCII names, very large nodes, bytes not known to be valid) takes the
// plain path instead, which gives the same result.
import { decodeEntities, reference, type EntityContext } from './entities.ts';
import { UTF8_WASM } from './utf8-wasm.ts';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Larger text nodes take the plain path, so the reused buffer stays small. */
const MAX_BYTES = 1 << 21;

let units = new Uint16Array(1 << 14);
let view = Buffer.from(units.buffer) as Buffer & { ucs2Slice(start: number, end: number): string };

function grow(need: number, keep: number): void {
  const next = new Uint16Array(Math.max(need, units.length * 2));
  if (keep) next.set(units.subarray(0, keep));
  units = next;
  view = Buffer.from(units.buffer) as typeof view;
}

/** Set by decodeText: whether the string may hold C0 controls (other than tab and newlines), DEL or C1 characters. */
export const decoded = { odd: false };

/** Shortest text sent to the WebAssembly loop (below it the call costs more than it saves). */
export const tuning = { wasmMin: 48 };

// The same loop for valid input in WebAssembly (utf8.wat): input copied to offset 0 of its
// memory, output read back from after it.
interface Utf8Wasm {
  memory: WebAssembly.Memory;
  decode(i: number, e: number, o: number, refs: number): number;
  stop: WebAssembly.Global;
  odd: WebAssembly.Global;
}
let wasm: Utf8Wasm | undefined;
let mem8 = new Uint8Array(0);
let memView = Buffer.alloc(0) as typeof view;
try {
  wasm = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(UTF8_WASM, 'base64'))).exports as unknown as Utf8Wasm;
} catch {
  wasm = undefined; // no WebAssembly here: the JavaScript loop does it all
}

function viaWasm(w: Utf8Wasm, buf: Buffer, s: number, e: number, refs: boolean): string | undefined {
  const n = e - s;
  const out = (n + 16) & ~7;
  const need = out + 2 * n + 8;
  if (mem8.length < need) {
    const have = w.memory.buffer.byteLength;
    if (have < need) {
      try {
        w.memory.grow(Math.ceil((need - have) / 65536));
      } catch {
        return undefined; // no memory for it: the JavaScript loop needs less
      }
    }
    mem8 = new Uint8Array(w.memory.buffer);
    memView = Buffer.from(w.memory.buffer) as typeof view;
  }
  mem8.set(buf.subarray(s, e), 0);
  mem8.fill(0, n, n + 8); // the loop reads a few bytes ahead
  w.odd.value = 0;
  const o = w.decode(0, n, out, refs ? 1 : 0);
  if (w.stop.value !== n) return undefined; // a reference the loop leaves to the general path
  decoded.odd = w.odd.value !== 0;
  return o === out ? '' : memView.ucs2Slice(out, o);
}

function plain(buf: Buffer, s: number, e: number, ctx: EntityContext | null): string {
  decoded.odd = true;
  const raw = buf.toString('utf8', s, e);
  return ctx && raw.indexOf('&') !== -1 ? decodeEntities(raw, ctx) : raw;
}

function isOdd(c: number): boolean {
  return c < 0x20 ? c !== 0x0a && c !== 0x09 && c !== 0x0d : c >= 0x7f && c <= 0x9f;
}

// Results of decodeReference besides the output length it returns: where scanning goes on, and
// whether it wrote an odd character. -1 as the output length means: take the plain path.
let after = 0;
let refOdd = false;

/** Decodes the reference at buf[i] ("&") into units[o...]; returns the new output length. */
function decodeReference(buf: Buffer, i: number, e: number, ctx: EntityContext, o: number): number {
  // A reference: at most ~32 ASCII characters up to ";", else a bare ampersand.
  let semi = -1;
  const limit = Math.min(e, i + 34);
  for (let j = i + 1; j < limit; j++) {
    const d = buf[j]!;
    if (d === 0x3b) {
      semi = j;
      break;
    }
    if (d >= 0x80) return -1;
    if (!((d >= 0x30 && d <= 0x39) || (d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a) || d === 0x23 || d === 0x5f || d === 0x2d || d === 0x2e)) break;
  }
  let a = units;
  if (semi === -1) {
    ctx.problem('bare "&" (not an entity reference)');
    a[o++] = 0x26;
    after = i + 1;
    return o;
  }
  after = semi + 1;
  const n = semi - i - 1;
  const b1 = buf[i + 1];
  let ch = -1;
  if (n === 2 && buf[i + 2] === 0x74 && (b1 === 0x6c || b1 === 0x67)) ch = b1 === 0x6c ? 0x3c : 0x3e; // lt gt
  else if (n === 3 && b1 === 0x61 && buf[i + 2] === 0x6d && buf[i + 3] === 0x70) ch = 0x26; // amp
  else if (n === 4 && b1 === 0x71 && buf[i + 2] === 0x75 && buf[i + 3] === 0x6f && buf[i + 4] === 0x74) ch = 0x22; // quot
  else if (n === 4 && b1 === 0x61 && buf[i + 2] === 0x70 && buf[i + 3] === 0x6f && buf[i + 4] === 0x73) ch = 0x27; // apos
  else if (b1 === 0x23 && n > 1 && n < 9) ch = numeric(buf, i + 2, semi);
  if (ch !== -1) {
    if (ch > 0xffff) {
      ch -= 0x10000;
      a[o++] = 0xd800 + (ch >> 10);
      a[o++] = 0xdc00 + (ch & 0x3ff);
    } else {
      if (isOdd(ch)) refOdd = true;
      a[o++] = ch;
    }
    return o;
  }
  const rep = reference(buf.toString('latin1', i + 1, semi), ctx);
  if (rep === undefined) {
    for (let j = i; j <= semi; j++) a[o++] = buf[j]!;
    return o;
  }
  const need = o + rep.length + (e - semi);
  if (need > a.length) {
    if (need > MAX_BYTES * 2) return -1;
    grow(need, o);
    a = units;
  }
  for (let k = 0; k < rep.length; k++) {
    const r = rep.charCodeAt(k);
    if (isOdd(r)) refOdd = true;
    a[o++] = r;
  }
  return o;
}

/**
 * The text of bytes [s, e) of UTF-8 character data. With a context, entity and character
 * references are decoded as decodeEntities does (problems reported to it); without, the
 * bytes are taken literally (CDATA). `valid` promises that the range is valid UTF-8 and
 * starts and ends on character boundaries (the decoded document always is). Sets `decoded.odd`.
 */
export function decodeText(buf: Buffer, s: number, e: number, ctx: EntityContext | null, valid = false): string {
  // Bytes not known to be valid (only when decoding the document failed outright) and huge nodes take the plain path.
  if (!valid || e - s > MAX_BYTES) return plain(buf, s, e, ctx);
  if (wasm && e - s >= tuning.wasmMin) {
    const r = viaWasm(wasm, buf, s, e, ctx !== null);
    if (r !== undefined) return r;
  }
  if (!LITTLE_ENDIAN) return plain(buf, s, e, ctx);
  if (e - s > units.length) grow(e - s, 0);
  let a = units;
  let o = 0;
  let i = s;
  let odd = false;
  refOdd = false;
  while (i < e) {
    const c = buf[i]!;
    if (c < 0x80) {
      if (c === 0x26 && ctx) {
        o = decodeReference(buf, i, e, ctx, o);
        if (o < 0) return plain(buf, s, e, ctx);
        a = units;
        i = after;
        continue;
      }
      if (c < 0x20 ? c !== 0x0a && c !== 0x09 && c !== 0x0d : c === 0x7f) odd = true;
      a[o++] = c;
      i++;
    } else if (c >= 0xe0) {
      if (c < 0xf0) {
        a[o++] = ((c & 0x0f) << 12) | ((buf[i + 1]! & 0x3f) << 6) | (buf[i + 2]! & 0x3f);
        i += 3;
      } else {
        const cp = (((c & 0x07) << 18) | ((buf[i + 1]! & 0x3f) << 12) | ((buf[i + 2]! & 0x3f) << 6) | (buf[i + 3]! & 0x3f)) - 0x10000;
        a[o++] = 0xd800 + (cp >> 10);
        a[o++] = 0xdc00 + (cp & 0x3ff);
        i += 4;
      }
    } else {
      const cp = ((c & 0x1f) << 6) | (buf[i + 1]! & 0x3f);
      if (cp <= 0x9f) odd = true;
      a[o++] = cp;
      i += 2;
    }
  }
  decoded.odd = odd || refOdd;
  return o === 0 ? '' : view.ucs2Slice(0, o * 2);
}

/** A decimal or hexadecimal character reference's code point, or -1 to leave it to `reference`. */
function numeric(buf: Buffer, from: number, end: number): number {
  let n = 0;
  const x = buf[from];
  if (x === 0x78 || x === 0x58) {
    if (end - from < 2) return -1;
    for (let j = from + 1; j < end; j++) {
      const d = buf[j]!;
      const v = d >= 0x30 && d <= 0x39 ? d - 0x30 : d >= 0x61 && d <= 0x66 ? d - 0x57 : d >= 0x41 && d <= 0x46 ? d - 0x37 : -1;
      if (v < 0) return -1;
      n = n * 16 + v;
    }
  } else {
    for (let j = from; j < end; j++) {
      const d = buf[j]!;
      if (d < 0x30 || d > 0x39) return -1;
      n = n * 10 + d - 0x30;
    }
  }
  // Zero, surrogates, out of range and the cp1252 range take the general path (problems, mapping).
  if (n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) || (n >= 0x80 && n <= 0x9f)) return -1;
  return n;
}
