// Highlighted snippets, found in the normalized text and cut from the original
// (normalize keeps offsets), so that the reader sees the text as written:
// Traditional stays Traditional, case stays as it was.
import { normalize } from './text.ts';
import { isCjk } from './tokens.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A matcher for the marks: CJK strings anywhere, other words on word boundaries. */
export function markPattern(marks: readonly string[]): RegExp | undefined {
  const alts = [...new Set(marks.filter(Boolean))]
    .sort((a, b) => b.length - a.length)
    .map((m) => (isCjk(m) ? escapeRe(m) : `(?<![\\p{L}\\p{N}])${escapeRe(m)}(?![\\p{L}\\p{N}])`));
  return alts.length ? new RegExp(alts.join('|'), 'gu') : undefined;
}

interface Range {
  start: number;
  end: number;
}

const MAX_MATCHES = 200;

/** Matches in the normalized text, each with the term it matched. */
function matches(text: string, pattern: RegExp | undefined): (Range & { term: string })[] {
  if (!pattern) return [];
  const out: (Range & { term: string })[] = [];
  pattern.lastIndex = 0;
  for (const m of normalize(text).matchAll(pattern)) {
    out.push({ start: m.index, end: m.index + m[0].length, term: m[0] });
    if (out.length >= MAX_MATCHES) break;
  }
  return out;
}

function render(text: string, from: number, to: number, ranges: readonly Range[]): string {
  let out = '';
  let at = from;
  for (const r of ranges) {
    if (r.end <= from || r.start >= to) continue;
    const s = Math.max(r.start, at);
    const e = Math.min(r.end, to);
    if (s >= e) continue;
    out += `${escapeHtml(text.slice(at, s))}<mark>${escapeHtml(text.slice(s, e))}</mark>`;
    at = e;
  }
  return out + escapeHtml(text.slice(at, to));
}

/** The whole text, HTML-escaped, with every match in <mark>. */
export function highlight(text: string, pattern: RegExp | undefined): string {
  return render(text, 0, text.length, matches(text, pattern));
}

// Keep a surrogate pair whole at a cut.
function cut(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
}

/**
 * About `width` characters of text around the place with the most different
 * matches, HTML-escaped, matches in <mark>, "…" where the text was cut.
 */
export function snippet(text: string, pattern: RegExp | undefined, width = 120): string {
  const ranges = matches(text, pattern);
  if (!ranges.length) {
    const end = cut(text, Math.min(text.length, width));
    return escapeHtml(text.slice(0, end)) + (end < text.length ? '…' : '');
  }
  // The window starting a little before a match that covers the most distinct terms.
  const terms = new Set(ranges.map((r) => r.term)).size;
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < ranges.length; i++) {
    const seen = new Set<string>();
    let j = i;
    for (; j < ranges.length && ranges[j].end <= ranges[i].start + width; j++) seen.add(ranges[j].term);
    const score = seen.size * 1000 + (j - i);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
    if (seen.size === terms) break;
  }
  const lead = Math.floor(width / 5);
  let from = Math.max(0, ranges[best].start - lead);
  // Prefer starting at a sentence or clause start close before the match.
  const before = text.slice(from, ranges[best].start);
  const stop = Math.max(before.lastIndexOf('。'), before.lastIndexOf('. '), before.lastIndexOf('！'), before.lastIndexOf('？'));
  if (stop >= 0) from += stop + (before[stop] === '.' ? 2 : 1);
  from = cut(text, from);
  const to = cut(text, Math.min(text.length, from + width));
  return (from > 0 ? '…' : '') + render(text, from, to, ranges).trim() + (to < text.length ? '…' : '');
}
