// The search page's results: the full-text index (src/search) with its
// highlighted titles and snippets, joined to the reader's view of each item.
import { indexedCount, search, SearchQueryError } from '../search/index.ts';
import { escapeHtml, trusted, type EntryView } from '../web/index.ts';
import type { Reader } from './reader.ts';

export { SearchQueryError };

/** Escaped text with every occurrence of the words in <mark> (the title fallback). */
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

export interface Found {
  entries: EntryView[];
  total: number;
  /** Set when the index is empty and titles were searched instead. */
  fallback?: boolean;
}

export function searchItems(reader: Reader, query: string, limit: number, offset = 0): Found {
  if (indexedCount(reader.db) === 0) {
    // No index yet (an archive imported before search existed): titles still find something.
    const words = query.split(/\s+/).filter((w) => w && !w.startsWith('-') && !w.includes(':')).map((w) => w.replace(/^"|"$/g, ''));
    const found = reader.titleSearch(words.join(' '), limit);
    return { total: found.length, fallback: true, entries: found.map((e) => ({ ...e, titleHtml: trusted(highlight(e.title, words)), snippet: trusted(highlight(e.excerpt, words)) })) };
  }
  const r = search(reader.db, query, { limit, offset });
  const byId = new Map(reader.byIds(r.hits.map((h) => h.id)).map((e) => [e.id, e]));
  const entries: EntryView[] = [];
  for (const h of r.hits) {
    const e = byId.get(h.id);
    // The search module escapes both and adds only <mark>.
    if (e) entries.push({ ...e, titleHtml: trusted(h.titleHtml || escapeHtml(e.title)), snippet: trusted(h.snippet) });
  }
  return { entries, total: r.total };
}
