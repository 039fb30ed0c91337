// Mutations of real feeds for the parser fuzzer (scripts/fuzz.ts). Input i of seed s is a pure
// function of (corpus, s, i), so any input can be rebuilt from its number alone.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusFile { name: string; bytes: Uint8Array }

export function loadCorpus(dir: string): CorpusFile[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
}

/** mulberry32: small, fast, good enough to pick mutations. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(a: readonly T[]): T { return a[Math.floor(this.next() * a.length)]; }
  chance(p: number): boolean { return this.next() < p; }
}

function seedFor(seed: number, index: number): number {
  // splitmix-style mixing so that neighbouring (seed, index) pairs give unrelated streams
  let x = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index >>> 0, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);

const TOKENS = [
  '<', '>', '&', '&amp', '&#', '&#x', '&#0;', '&#x0;', '&#xD800;', '&#x110000;', '&#99999999999;', '&nbsp;', '&bogus;',
  ']]>', '<![CDATA[', '<!--', '-->', '<?', '?>', '<?xml version="1.0"?>', '</', '/>', '"', "'", '=',
  '<item>', '</item>', '<entry>', '</entry>', '<channel>', '</channel>', '<title>', '</title>', '<link>', '</link>',
  '<link href="javascript:alert(1)"/>', '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">',
  '<description>', '</description>', '<content:encoded>', '<pubDate>', '</pubDate>', '<updated>9999-99-99T99:99:99Z</updated>',
  '<pubDate>Mon, 32 Foo 99999 25:61:61 +9999</pubDate>', 'xmlns="', 'xmlns:x="', 'xml:base="', 'xml:base="javascript:',
  '\u0000', '\u0001', '\u000b', '\ufffe', '\uffff', '\ud800', '\u2028', '\u00a0', '\r', '\r\n',
  '{', '}', '[', ']', '":', '"items":', '"items":[{"id":1}]', 'null', '1e999', '-0', '"\\u0000"', '"\\ud800"',
];

const ENCODINGS = [
  'utf-8', 'UTF-8', 'utf-16', 'utf-16le', 'UTF-16BE', 'utf-32', 'ucs-2', 'gbk', 'gb2312', 'gb18030', 'big5', 'shift_jis',
  'euc-jp', 'euc-kr', 'iso-2022-jp', 'iso-8859-1', 'iso-8859-15', 'windows-1252', 'windows-1251', 'koi8-r', 'ibm866',
  'macintosh', 'x-mac-cyrillic', 'tis-620', 'utf-7', 'ebcdic-cp-us', 'x-user-defined', 'replacement', 'bogus-charset',
  '', ' utf-8 ', 'utf8', 'latin1', 'ascii', 'us-ascii', 'unicode-1-1-utf-8', 'utf-8"', '\u00e9',
];

const BOMS = [
  [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0xff, 0xfe, 0x00, 0x00], [0x00, 0x00, 0xfe, 0xff],
  [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], [0x2b, 0x2f, 0x76, 0x38], [0xef, 0xbb],
];

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function insertAt(x: Uint8Array, at: number, ins: Uint8Array): Uint8Array {
  return concat(x.subarray(0, at), ins, x.subarray(at));
}

/** Where the document proper starts: after the XML declaration if there is one. */
function afterDecl(x: Uint8Array): number {
  const head = Buffer.from(x.subarray(0, 512)).toString('latin1');
  const m = /<\?xml[^>]*\?>/.exec(head);
  return m ? m.index + m[0].length : 0;
}

/** A position just after some '>' (an element boundary), else anywhere. */
function tagBoundary(rng: Rng, x: Uint8Array): number {
  if (x.length === 0) return 0;
  const start = rng.int(0, x.length - 1);
  const gt = x.indexOf(0x3e, start);
  return gt < 0 ? start : gt + 1;
}

type Mutator = (rng: Rng, x: Uint8Array, corpus: CorpusFile[]) => [Uint8Array, string];

const MUTATORS: [number, Mutator][] = [
  [6, (rng, x) => {
    const y = x.slice();
    const n = rng.int(1, 16);
    for (let k = 0; k < n && y.length; k++) {
      const at = rng.int(0, y.length - 1);
      y[at] = rng.chance(0.5) ? y[at] ^ (1 << rng.int(0, 7)) : rng.int(0, 255);
    }
    return [y, `flip ${n} bytes`];
  }],
  [4, (rng, x) => {
    const at = rng.int(0, x.length);
    return [x.subarray(0, at), `truncate at ${at}`];
  }],
  [3, (rng, x, corpus) => {
    const other = rng.pick(corpus);
    const a = rng.int(0, x.length);
    const o = rng.int(0, other.bytes.length);
    return [concat(x.subarray(0, a), other.bytes.subarray(o)), `splice ${a} + ${other.name}@${o}`];
  }],
  [8, (rng, x) => {
    let y = x;
    const n = rng.int(1, 8);
    const used: string[] = [];
    for (let k = 0; k < n; k++) {
      const t = rng.pick(TOKENS);
      used.push(JSON.stringify(t));
      y = insertAt(y, rng.chance(0.5) ? tagBoundary(rng, y) : rng.int(0, y.length), b(t));
    }
    return [y, `insert ${used.join(' ')}`];
  }],
  [3, (rng, x) => {
    const kind = rng.int(0, 5);
    let decl: string;
    let ref: string;
    if (kind === 0) {
      // a small "billion laughs": the parser must cap expansion
      const levels = rng.int(3, 12);
      decl = '<!ENTITY l0 "lol">';
      for (let k = 1; k <= levels; k++) decl += `<!ENTITY l${k} "${`&l${k - 1};`.repeat(10)}">`;
      ref = `&l${levels};`;
    } else if (kind === 1) {
      decl = `<!ENTITY big "${'x'.repeat(rng.int(1000, 200_000))}">`;
      ref = '&big;'.repeat(rng.int(1, 2000));
    } else if (kind === 2) {
      decl = '<!ENTITY xxe SYSTEM "file:///etc/passwd">';
      ref = '&xxe;';
    } else if (kind === 3) {
      decl = '<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p; <!ENTITY % q "<!ENTITY r \'rr\'>"> %q;';
      ref = '&r;';
    } else if (kind === 4) {
      decl = '<!ENTITY a "&b;"><!ENTITY b "&a;">';
      ref = '&a;';
    } else {
      decl = '<!ENTITY t "<item><title>injected</title></item>"><!ENTITY u "&#60;x&#62;">';
      ref = '&t;&u;';
    }
    const at = afterDecl(x);
    const y = insertAt(x, at, b(`<!DOCTYPE rss [${decl}]>`));
    const n = rng.int(1, 4);
    let z = y;
    for (let k = 0; k < n; k++) z = insertAt(z, tagBoundary(rng, z.subarray(0)), b(ref));
    return [z, `entities kind ${kind}`];
  }],
  [2, (rng, x) => {
    const depth = rng.pick([100, 1000, 10_000, 50_000]);
    const name = rng.pick(['a', 'div', 'item', 'entry', 'x:y', 'content']);
    const close = rng.chance(0.5);
    const ins = `<${name}>`.repeat(depth) + (close ? `</${name}>`.repeat(depth) : '');
    const json = rng.chance(0.2);
    return [insertAt(x, tagBoundary(rng, x), b(json ? '['.repeat(depth) : ins)), `nest ${depth} ${json ? '[' : name}${close ? ' closed' : ''}`];
  }],
  [2, (rng, x) => {
    const size = rng.pick([1000, 65_536, 1_000_000]);
    const ch = rng.pick(['A', '&amp;', '"', '&#x4e2d;', ' ']);
    const attrs = rng.chance(0.3) ? Array.from({ length: rng.int(100, 5000) }, (_, k) => `a${k}="${k}"`).join(' ') : `v="${ch.repeat(Math.ceil(size / ch.length))}"`;
    return [insertAt(x, tagBoundary(rng, x), b(`<enclosure url="http://e/${'x'.repeat(rng.int(0, 100))}" ${attrs}/>`)), `huge attribute ${size} ${JSON.stringify(ch)}`];
  }],
  [3, (rng, x) => {
    const e = rng.pick(ENCODINGS);
    const decl = b(`<?xml version="1.0" encoding="${e}"?>`);
    const head = Buffer.from(x.subarray(0, 512)).toString('latin1');
    const m = /<\?xml[^>]*\?>/.exec(head);
    const y = m ? concat(x.subarray(0, m.index), decl, x.subarray(m.index + m[0].length)) : concat(decl, x);
    return [y, `encoding declaration ${JSON.stringify(e)}`];
  }],
  [2, (rng, x) => {
    const bom = rng.pick(BOMS);
    return [concat(new Uint8Array(bom), rng.chance(0.3) ? b(rng.pick([' ', '\n\n', '\t', 'garbage'])) : new Uint8Array(0), x), `bom ${bom.map((v) => v.toString(16)).join(' ')}`];
  }],
  [2, (rng, x) => {
    // the same bytes as UTF-16 (little or big endian), with or without a BOM
    const le = rng.chance(0.5);
    const n = Math.min(x.length, 200_000);
    const y = new Uint8Array(n * 2);
    for (let k = 0; k < n; k++) y[k * 2 + (le ? 0 : 1)] = x[k];
    const bom = rng.chance(0.5) ? new Uint8Array(le ? [0xff, 0xfe] : [0xfe, 0xff]) : new Uint8Array(0);
    return [concat(bom, y), `as utf-16${le ? 'le' : 'be'}${bom.length ? ' with bom' : ''}`];
  }],
  [2, (rng, x) => {
    if (x.length < 2) return [x, 'repeat (too short)'];
    const a = rng.int(0, x.length - 1);
    const len = rng.int(1, Math.min(4096, x.length - a));
    const times = rng.int(2, 64);
    const chunk = x.subarray(a, a + len);
    return [concat(x.subarray(0, a + len), ...Array.from({ length: times }, () => chunk), x.subarray(a + len)), `repeat ${len} bytes ×${times}`];
  }],
  [2, (rng, x) => {
    const a = rng.int(0, x.length);
    const len = rng.int(1, 2048);
    return [concat(x.subarray(0, a), x.subarray(Math.min(x.length, a + len))), `delete ${len} at ${a}`];
  }],
  [1, (rng, x) => {
    // drop every '>' or every '"' in a window: tags and attributes run together
    const y = x.slice();
    const target = rng.pick([0x3e, 0x22, 0x3c, 0x26]);
    const a = rng.int(0, y.length);
    const end = Math.min(y.length, a + rng.int(100, 20_000));
    for (let k = a; k < end; k++) if (y[k] === target) y[k] = 0x20;
    return [y, `blank ${String.fromCharCode(target)} in ${a}..${end}`];
  }],
];

const TOTAL_WEIGHT = MUTATORS.reduce((a, [w]) => a + w, 0);

export interface FuzzInput { index: number; base: string; bytes: Uint8Array; steps: string[] }

/**
 * Input number `index` of run `seed`. Big corpus files are picked rarely (and then often cut),
 * so that 100,000 inputs stay a few gigabytes of parsing.
 */
export function makeInput(corpus: CorpusFile[], seed: number, index: number, maxBase = 1 << 30, maxSize = 1 << 30): FuzzInput {
  const rng = new Rng(seedFor(seed, index));
  const small = corpus.filter((f) => f.bytes.length <= 100_000);
  const pool = small.length && rng.chance(0.95) ? small : corpus;
  const base = rng.pick(pool);
  let x = base.bytes;
  const steps: string[] = [];
  if (x.length > maxBase) {
    x = x.subarray(0, maxBase);
    steps.push(`cut to ${maxBase}`);
  }
  const n = rng.chance(0.6) ? 1 : rng.int(2, 4);
  for (let k = 0; k < n; k++) {
    let r = rng.next() * TOTAL_WEIGHT;
    let m = MUTATORS[0][1];
    for (const [w, f] of MUTATORS) {
      if (r < w) { m = f; break; }
      r -= w;
    }
    const [y, what] = m(rng, x, corpus);
    x = y;
    steps.push(what);
  }
  if (x.length > maxSize) {
    x = x.subarray(0, maxSize);
    steps.push(`cut to ${maxSize}`);
  }
  return { index, base: base.name, bytes: x, steps };
}
