// The search page's results. Until the full-text index (src/search) is wired
// in, titles are matched as substrings; matches are highlighted either way.
import { html, trusted, escapeHtml, type EntryView } from '../web/index.ts';
import type { Reader } from './reader.ts';

/** Escaped text with every occurrence of the words in <mark>. */
export function highlight(text: string, words: readonly string[]): string {
  const ws = [...new Set(words.filter((w) => w.length > 0))].sort((a, b) => b.length - a.length);
  if (!ws.length) return escapeHtml(text);
  const re = new RegExp(ws.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'giu');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += escapeHtml(text.slice(last, m.index)) + `<mark>${escapeHtml(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

export function searchItems(reader: Reader, query: string, limit: number): EntryView[] {
  const words = query.split(/\s+/).filter((w) => w && !w.startsWith('-') && !w.includes(':')).map((w) => w.replace(/^"|"$/g, ''));
  const found = reader.titleSearch(words.join(' '), limit);
  return found.map((e) => ({ ...e, titleHtml: trusted(highlight(e.title, words)), snippet: html`${trusted(highlight(e.excerpt, words))}` }));
}
