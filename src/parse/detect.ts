// Guessing the legacy encoding of a document that gives none (or a wrong one) and is not UTF-8.
// Each candidate decoding is scored by how typical its non-ASCII characters are for the
// language that encoding is used for: frequent Han characters for Chinese, kana for Japanese,
// frequent syllables for Korean, letter frequencies for the single-byte scripts. Wrong decodings
// of real text produce rare characters, symbols or U+FFFD, so the right one stands out.

import { HANS, HANT } from './cjkfreq.ts';
import { TABLES } from './codepages.ts';
import { decodeWindows1252 } from './cp1252.ts';

export interface Detection {
  /** chardet's spelling of the encoding ("GB2312", "Big5", "SHIFT_JIS", "windows-1251", ...). */
  name: string;
  /** The decoder to use: a WHATWG encoding name, or a Python code page name from codepages.ts. */
  decoder: string;
}

// Enough text to decide; scoring megabytes would only cost time.
const SAMPLE = 16 * 1024;
const CJK_ACCEPT = 0.45;
const SB_ACCEPT = 0.6;
const SB_MIN = 12;
const SB_MARGIN = 0.05;

// Frequent Korean syllables (most frequent first), from general knowledge of Korean text.
const HANGUL =
  '이다는의에하고을가한지로서기를사어도리수인대일자시정아국나있게으해요라니그과전부상보것장스면들만주적제위소우원동성중세' +
  '여생마무했되와학화없문비경연관신은입분말내데년월공구개까거러야습또던님때며오안음미선재발새모진당단명행실된현회저알물통' +
  '업계금영법치히민초반산방점결록간본심품용후파처조터출불더감배향체차표강족교육각달작력속식직함권활율잘유토설판군외날료레른' +
  '트크프드랑티운복건호센타게임등번했을든드럼럽할합황회효휴';

const HIRAGANA_KATAKANA = (c: number) => c >= 0x3040 && c <= 0x30ff;
const CJK_PUNCT = (c: number) => (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffef) || c === 0x2026 || c === 0x201c || c === 0x201d || c === 0x2018 || c === 0x2019 || c === 0x00b7;

const hans = new Set<number>([...HANS].map((c) => c.codePointAt(0)!));
const hant = new Set<number>([...HANT].map((c) => c.codePointAt(0)!));
const hangul = new Set<number>([...HANGUL].map((c) => c.codePointAt(0)!));
const kanji = new Set<number>([...hans].filter((c) => hant.has(c)));

type CjkScore = (c: number) => number;

const CJK: { name: string; decoder: string; score: CjkScore }[] = [
  // Chinese feeds about Japan (anime, games) quote kana: some credit, less than Japanese gets.
  { name: 'GB2312', decoder: 'gbk', score: (c) => (hans.has(c) || CJK_PUNCT(c) ? 1 : hant.has(c) ? 0.5 : HIRAGANA_KATAKANA(c) ? 0.3 : 0) },
  { name: 'Big5', decoder: 'big5', score: (c) => (hant.has(c) || CJK_PUNCT(c) ? 1 : hans.has(c) ? 0.5 : HIRAGANA_KATAKANA(c) ? 0.3 : 0) },
  { name: 'SHIFT_JIS', decoder: 'shift_jis', score: jaScore },
  { name: 'EUC-JP', decoder: 'euc-jp', score: jaScore },
  { name: 'EUC-KR', decoder: 'euc-kr', score: (c) => (hangul.has(c) || CJK_PUNCT(c) ? 1 : c >= 0xac00 && c <= 0xd7a3 ? 0.4 : 0) },
];

function jaScore(c: number): number {
  // Half-width katakana are legal but a frequent artefact of wrong Shift_JIS decodings.
  if (c >= 0xff61 && c <= 0xff9f) return 0.2;
  if (HIRAGANA_KATAKANA(c) || CJK_PUNCT(c)) return 1;
  // Kana carry Japanese text; kanji only count when common in both Chinese scripts, or a
  // Chinese text read as EUC-JP would pass on its many common-looking kanji.
  return kanji.has(c) ? 0.6 : 0;
}

// Letters of each single-byte language, most frequent first (lower case).
const LANG: Record<string, string> = {
  ru: 'оеаинтсрвлкмдпуяызьбгчйхжшюцщэфъёієїґўђјљњћџ',
  he: 'יוהלארתבמשעדנכםקחפןגסצזטךףץ',
  th: 'านรอกเงมยลวดทสตะคหบปพใไขจชโศถผฝฉซฌญฎฏฐฑฒณธภฤฦฬฮ่้ัีิืุู็์ำๆฯ๊๋ึ',
  el: 'αοιετσνηυρπκμλωδγχθφβξζψςάέίόύήώϊϋΐΰ',
  ar: 'اليمونهرتبعدكفقسةحجأشصطخزذضثغظءىئؤإآ',
  latin1: 'éáíóàèüöäçñúãâêßôõëïîûåøæœìòùÿ',
  latin2: 'áéíóöőúüűčšžřěýůąęłśćńźżťďňľĺŕăâîșțşţ',
  tr: 'ıüşöçğâîû',
};

const SINGLE: { name: string; decoder: string; lang: string }[] = [
  { name: 'windows-1251', decoder: 'windows-1251', lang: 'ru' },
  { name: 'KOI8-R', decoder: 'koi8-r', lang: 'ru' },
  { name: 'IBM866', decoder: 'ibm866', lang: 'ru' },
  { name: 'ISO-8859-5', decoder: 'iso-8859-5', lang: 'ru' },
  { name: 'MacCyrillic', decoder: 'x-mac-cyrillic', lang: 'ru' },
  { name: 'IBM855', decoder: 'cp855', lang: 'ru' },
  { name: 'windows-1255', decoder: 'windows-1255', lang: 'he' },
  { name: 'TIS-620', decoder: 'windows-874', lang: 'th' },
  { name: 'ISO-8859-7', decoder: 'iso-8859-7', lang: 'el' },
  { name: 'windows-1253', decoder: 'windows-1253', lang: 'el' },
  { name: 'windows-1256', decoder: 'windows-1256', lang: 'ar' },
  { name: 'windows-1252', decoder: 'windows-1252', lang: 'latin1' },
  { name: 'ISO-8859-2', decoder: 'iso-8859-2', lang: 'latin2' },
  { name: 'windows-1250', decoder: 'windows-1250', lang: 'latin2' },
  { name: 'ISO-8859-9', decoder: 'windows-1254', lang: 'tr' },
];

// Per language: letter (either case) -> index into the frequency vector, and the expected
// frequencies, taken as Zipfian over the rank order above.
interface Model {
  index: Map<number, number>;
  expected: number[];
  norm: number;
}
const models = new Map<string, Model>();
for (const [lang, letters] of Object.entries(LANG)) {
  const index = new Map<number, number>();
  const list = [...letters];
  list.forEach((ch, r) => {
    index.set(ch.codePointAt(0)!, r);
    const up = ch.toUpperCase();
    if (up !== ch && up.length === 1 && !index.has(up.codePointAt(0)!)) index.set(up.codePointAt(0)!, r);
  });
  if (lang === 'tr') index.set(0x130, 0); // İ, whose lower case is two code points
  const expected = list.map((_, r) => 1 / (r + 1.5));
  models.set(lang, { index, expected, norm: Math.hypot(...expected) });
}

// Punctuation that a correct single-byte decoding commonly yields: neither evidence for nor against.
function neutral(c: number): boolean {
  return (c >= 0x2010 && c <= 0x2030) || c === 0xa0 || c === 0xab || c === 0xbb || c === 0xb0 || c === 0xa9 || c === 0xae || c === 0xb7 || c === 0x20ac || c === 0x2116 || c === 0xa7;
}

function decodeWith(decoder: string, bytes: Uint8Array): string {
  const table = TABLES[decoder];
  if (table) {
    const off = table.length === 128 ? 128 : 0;
    let s = '';
    for (const b of bytes) s += b < off ? String.fromCharCode(b) : table[b - off];
    return s;
  }
  if (decoder === 'windows-1252') return decodeWindows1252(bytes);
  let d = decoders.get(decoder);
  if (!d) decoders.set(decoder, (d = new TextDecoder(decoder)));
  return d.decode(bytes); // a character cut at the sample's end costs one U+FFFD: negligible
}

// ICU converters are costly to open: one per encoding, reused.
const decoders = new Map<string, TextDecoder>();

/** Guess the encoding of `bytes` (not valid UTF-8); undefined when no candidate is convincing. */
export function detect(bytes: Uint8Array): Detection | undefined {
  const sample = highSample(bytes);
  if (!sample) return undefined;

  let best: { name: string; decoder: string; score: number; lang?: string } | undefined;
  for (const cand of CJK) {
    const text = decodeWith(cand.decoder, sample);
    let total = 0;
    let sum = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) continue;
      total++;
      sum += c === 0xfffd ? -3 : cand.score(c);
    }
    const score = total ? sum / total : 0;
    if (total >= 4 && (!best || score > best.score)) best = { name: cand.name, decoder: cand.decoder, score };
  }
  if (best && best.score >= CJK_ACCEPT) return { name: refine(best.name, sample), decoder: best.decoder };

  best = undefined;
  const byLang = new Map<string, number>();
  let total = 0;
  for (const cand of SINGLE) {
    const text = decodeWith(cand.decoder, sample);
    const model = models.get(cand.lang)!;
    const seen = new Array<number>(model.expected.length).fill(0);
    total = 0;
    let letters = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80 || neutral(c)) continue;
      total++;
      const r = model.index.get(c);
      if (r === undefined) continue;
      letters++;
      seen[r]++;
    }
    // Share of the text that is this language's letters, times how well their frequencies fit.
    let dot = 0;
    for (let r = 0; r < seen.length; r++) dot += seen[r] * model.expected[r];
    const fit = letters ? dot / (Math.hypot(...seen) * model.norm) : 0;
    const score = total ? (letters / total) * fit : 0;
    byLang.set(cand.lang, Math.max(byLang.get(cand.lang) ?? -Infinity, score));
    if (!best || score > best.score) best = { name: cand.name, decoder: cand.decoder, score, lang: cand.lang };
  }
  // A few stray bytes prove nothing: demand enough text and a clear lead over other languages.
  // Latin-1 and Latin-2 share most letters: only other scripts must trail by the margin.
  const family = (l?: string) => (l === 'latin1' || l === 'latin2' || l === 'tr' ? 'latin' : l);
  const runnerUp = Math.max(...[...byLang].filter(([l]) => family(l) !== family(best?.lang)).map(([, s]) => s));
  if (best && total >= SB_MIN && best.score >= SB_ACCEPT && best.score - runnerUp >= SB_MARGIN) return { name: best.name, decoder: best.decoder };
  return undefined;
}

/**
 * The document's non-ASCII words, up to SAMPLE bytes: text far into a mostly-English feed
 * counts as much as its first lines. A word runs from a non-ASCII byte (always a character
 * boundary: lead bytes are non-ASCII) until a byte below 0x40 (space, digits, "<", "&"...),
 * which no supported double-byte encoding uses as a trail byte.
 */
function highSample(bytes: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(SAMPLE + 256);
  let len = 0;
  const n = bytes.length;
  for (let i = 0; i < n && len < SAMPLE; ) {
    if (bytes[i] < 0x80) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && bytes[j] >= 0x40 && j - i < 255) j++;
    out.set(bytes.subarray(i, j), len);
    len += j - i;
    out[len++] = 0x20;
    i = j;
  }
  return len ? out.subarray(0, len) : undefined;
}

// chardet distinguishes the GB2312/EUC-KR subsets from their extensions; so do its callers.
function refine(name: string, sample: Uint8Array): string {
  if (name !== 'GB2312' && name !== 'EUC-KR') return name;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i];
    if (b < 0x80) continue;
    const t = sample[i + 1];
    if (b < 0xa1 || t === undefined || t < 0xa1) return name === 'GB2312' ? 'GBK' : 'CP949';
    i++;
  }
  return name;
}
