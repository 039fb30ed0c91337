// The token stream the full-text index stores, and the FTS5 expressions that
// find it. Input is normalized text (see text.ts).
//
// Chinese (and Japanese, Korean) runs are indexed as overlapping character
// bigrams plus the run's last character alone: 崔善姬 -> 崔善 善姬 姬. Any
// substring of two or more characters is then a phrase of bigrams, whatever a
// word segmenter would have made of the surrounding text (it splits 崔善姬 into
// 崔|善|姬 and 沃斯托克 differently alone and in context), and any single
// character is a prefix of one token. Other letters and digits form words.

const CJK_SRC = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Hangul}\\u3005\\u30fc';
/** A CJK run, or a run of other letters, digits and marks. */
const RUN = new RegExp(`([${CJK_SRC}]+)|[[\\p{L}\\p{N}\\p{M}]--[${CJK_SRC}]]+`, 'gv');
const CJK = new RegExp(`^[${CJK_SRC}]`, 'v');
/** Longer "words" are blobs (base64, hashes); they would only bloat the index. */
const MAX_WORD = 64;

export interface Run {
  text: string;
  cjk: boolean;
  /** Offset in the string it was found in. */
  start: number;
}

export function runs(text: string): Run[] {
  const out: Run[] = [];
  for (const m of text.matchAll(RUN)) out.push({ text: m[0], cjk: m[1] !== undefined, start: m.index });
  return out;
}

export function isCjk(text: string): boolean {
  return CJK.test(text);
}

/** The space-separated token stream of normalized text, as stored in the index. */
export function indexTokens(text: string): string {
  const out: string[] = [];
  for (const m of text.matchAll(RUN)) {
    const run = m[0];
    if (m[1] === undefined) {
      if (run.length <= MAX_WORD) out.push(run);
      continue;
    }
    const chars = Array.from(run);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    out.push(chars[chars.length - 1]);
  }
  return out.join(' ');
}

const quote = (token: string) => `"${token.replaceAll('"', '""')}"`;

/**
 * An FTS5 phrase matching the runs in sequence, or undefined when they hold no
 * token. A CJK run followed by more runs ends at a run boundary in the document
 * too, so it brings its trailing single character; the last run may be the
 * start of a longer one, so it does not, and a last single character is a prefix.
 */
export function phraseExpr(parts: readonly Run[]): string | undefined {
  const tokens: string[] = [];
  let prefix = false;
  parts.forEach((run, k) => {
    const last = k === parts.length - 1;
    if (!run.cjk) {
      if (run.text.length <= MAX_WORD) tokens.push(run.text);
      return;
    }
    const chars = Array.from(run.text);
    for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i] + chars[i + 1]);
    if (!last) tokens.push(chars[chars.length - 1]);
    else if (chars.length === 1) {
      tokens.push(chars[0]);
      prefix = true;
    }
  });
  if (!tokens.length) return undefined;
  if (!prefix) return tokens.length === 1 ? quote(tokens[0]) : quote(tokens.join(' '));
  const head = tokens.slice(0, -1);
  const tail = `${quote(tokens[tokens.length - 1])} *`;
  return head.length ? `${quote(head.join(' '))} + ${tail}` : tail;
}

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
/** Segmenter work grows faster than the text; queries are short, but be safe. */
const SEGMENT_CHUNK = 64;

/**
 * A run of Chinese split into words for a query: a query written without spaces
 * (朝鲜外相崔善姬) finds documents with the words apart. Single characters in a
 * row are kept together, since they are most often a name the dictionary does
 * not know (崔|善|姬).
 */
export function queryWords(run: string): string[] {
  const out: string[] = [];
  let singles = '';
  for (let i = 0; i < run.length; i += SEGMENT_CHUNK) {
    for (const s of segmenter.segment(run.slice(i, i + SEGMENT_CHUNK))) {
      if (Array.from(s.segment).length === 1) {
        singles += s.segment;
        continue;
      }
      if (singles) out.push(singles);
      singles = '';
      out.push(s.segment);
    }
  }
  if (singles) out.push(singles);
  return out;
}
