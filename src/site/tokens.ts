// Tokens of the static site's search index. The browser segments a query with
// the same Intl.Segmenter (assets.ts SEARCH_JS mirrors these rules), so what the
// build indexes is what the page looks up. A Chinese word is also indexed by its
// characters: when the browser's segmenter cuts a query word that the build cut
// differently in context, the page falls back to intersecting its characters.
import { normalize } from '../search/index.ts';

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
/** Pieces between spaces and punctuation: short, so segmenting stays linear. */
const PIECES = /[^\s\p{P}\p{S}]+/gu;
const HAN = /\p{sc=Han}/u;
const MAX_PIECE = 64;
const MAX_TOKEN = 32;

/** The word tokens of a text (lower case, NFKC), in order, with repeats. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize('NFKC').toLowerCase().matchAll(PIECES)) {
    const piece = m[0];
    for (let i = 0; i < piece.length; i += MAX_PIECE) {
      for (const s of segmenter.segment(piece.slice(i, i + MAX_PIECE))) {
        if (s.isWordLike && s.segment.length <= MAX_TOKEN) out.push(s.segment);
      }
    }
  }
  return out;
}

/** The distinct index tokens of a document: its words, the characters of its Chinese words, and both again for its Simplified form. */
export function docTokens(text: string): Set<string> {
  const set = new Set<string>();
  const add = (t: string) => {
    for (const w of words(t)) {
      set.add(w);
      if (HAN.test(w) && w.length > 1) for (const c of w) if (HAN.test(c)) set.add(c);
    }
  };
  add(text);
  // Traditional text is also found by a Simplified query (the browser has no converter).
  const simple = normalize(text);
  if (simple !== text.toLowerCase()) add(simple);
  return set;
}

/** Which shard holds a token: by its first code point, so one query word needs one file. */
export function shardOf(token: string, shards: number): number {
  return (token.codePointAt(0) ?? 0) % shards;
}

/**
 * Traditional → Simplified by character, from the search module's converter, for
 * the browser (which has no converter): a Traditional query then finds Simplified
 * articles. About 3,000 entries, 24 kB.
 */
export function t2sMap(): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [from, to] of [[0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff]]) {
    for (let c = from; c <= to; c++) {
      const ch = String.fromCodePoint(c);
      const s = normalize(ch);
      if (s !== ch && Array.from(s).length === 1) map[ch] = s;
    }
  }
  return map;
}
