// Full-text search over the archive: Chinese-aware (bigrams, word segmentation
// of queries, Traditional = Simplified), with filters, ranking and snippets.
export {
  indexItem, indexItems, removeItem, optimizeIndex, indexedCount, search,
  TITLE_WEIGHT, RECENCY_BOOST, RECENCY_HALF_LIFE, CANDIDATES, COUNT_CAP,
  type IndexItem, type SearchOptions, type SearchResult, type Hit,
} from './search.ts';
export { parseQuery, compileQuery, SearchQueryError, type ParsedQuery } from './query.ts';
export { htmlToText, normalize } from './text.ts';
export { indexTokens, queryWords } from './tokens.ts';
export { snippet, highlight, markPattern } from './snippet.ts';
export { indexArchive, type IndexArchiveOptions, type IndexArchiveReport } from './archive.ts';
