// The full-text index over archived items: a contentless FTS5 table of token
// streams (tokens.ts), beside two plain tables keyed by the item id: what the
// filters need (small, so lookups stay in cache) and the plain text for snippets.
import type { Database, Statement } from 'better-sqlite3';
import { htmlToText, normalize } from './text.ts';
import { indexTokens } from './tokens.ts';
import { parseQuery, compileQuery, SearchQueryError, type ParsedQuery } from './query.ts';
import { markPattern, snippet as makeSnippet, highlight } from './snippet.ts';

export interface IndexItem {
  /** The item id (items.id). */
  id: number;
  site: string;
  title: string;
  /** Body HTML; use `text` instead when the plain text is at hand. */
  html?: string;
  text?: string;
  /** Epoch ms. */
  published?: number | null;
}

export interface SearchOptions {
  limit?: number;
  offset?: number;
  /** "Now" for the recency blend (epoch ms); tests pin it. */
  now?: number;
  /** Snippet length in characters. */
  snippetWidth?: number;
}

export interface Hit {
  id: number;
  site: string;
  /** Plain text. */
  title: string;
  /** HTML-escaped title with matches in <mark>. */
  titleHtml: string;
  /** HTML-escaped text around the matches, matches in <mark>. */
  snippet: string;
  published: number | null;
  /** Higher is better; comparable within one result list only. */
  score: number;
}

export interface SearchResult {
  /** Matching items (hits is one page of them), counted up to COUNT_CAP. */
  total: number;
  /** false when total stopped at COUNT_CAP: "10000 or more". */
  exact: boolean;
  hits: Hit[];
}

/** Title matches weigh this much more than body matches in bm25. */
export const TITLE_WEIGHT = 4;
/** Recency: the score is relevance × (1 + BOOST / (1 + age / HALF_LIFE)). */
export const RECENCY_BOOST = 0.5;
export const RECENCY_HALF_LIFE = 30 * 86_400_000;
/**
 * Matches ranked per query. Up to this many, all of them by bm25 and recency;
 * beyond, the most recently indexed ones (highest item ids: the mirror numbers
 * items as they arrive) by recency alone, so that a very common word costs no
 * more than a rare one.
 */
export const CANDIDATES = 1000;
/** Matches counted at most. */
export const COUNT_CAP = 10_000;
const MAX_LIMIT = 1000;
const MAX_OFFSET = 100_000;

// Statements are prepared once per connection.
const cache = new WeakMap<Database, Map<string, Statement>>();
function stmt(db: Database, sql: string): Statement {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}

function checkItem(item: IndexItem): void {
  if (!item || typeof item !== 'object') throw new TypeError('indexItem: expected an item object');
  if (!Number.isSafeInteger(item.id)) throw new TypeError(`indexItem: id must be an integer, got ${String(item.id)}`);
  if (typeof item.site !== 'string' || !item.site) throw new TypeError('indexItem: site must be a non-empty string');
  if (typeof item.title !== 'string') throw new TypeError('indexItem: title must be a string');
  if (item.published != null && !Number.isFinite(item.published)) throw new TypeError('indexItem: published must be epoch ms');
}

function write(db: Database, item: IndexItem): void {
  checkItem(item);
  const title = item.title.replace(/\s+/g, ' ').trim();
  const text = item.text ?? (item.html ? htmlToText(item.html) : '');
  const published = item.published == null ? null : Math.trunc(item.published);
  const had = stmt(db, 'SELECT 1 FROM search_docs WHERE id = ?').get(item.id);
  if (had) stmt(db, 'DELETE FROM search_fts WHERE rowid = ?').run(item.id);
  stmt(db, 'INSERT OR REPLACE INTO search_docs (id, site, published) VALUES (?, ?, ?)').run(item.id, item.site, published);
  stmt(db, 'INSERT OR REPLACE INTO search_text (id, title, body) VALUES (?, ?, ?)').run(item.id, title, text);
  stmt(db, 'INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)').run(
    item.id, indexTokens(normalize(title)), indexTokens(normalize(text)),
  );
}

/** Adds or replaces one item in the index. */
export function indexItem(db: Database, item: IndexItem): void {
  db.transaction(write)(db, item);
}

/** Indexes many items in one transaction (much faster than one by one). */
export function indexItems(db: Database, items: Iterable<IndexItem>): number {
  let n = 0;
  db.transaction(() => {
    for (const item of items) {
      write(db, item);
      n++;
    }
  })();
  return n;
}

/** Removes an item from the index; false if it was not there. */
export function removeItem(db: Database, id: number): boolean {
  if (!Number.isSafeInteger(id)) throw new TypeError(`removeItem: id must be an integer, got ${String(id)}`);
  return db.transaction(() => {
    const had = stmt(db, 'DELETE FROM search_docs WHERE id = ?').run(id).changes > 0;
    if (had) {
      stmt(db, 'DELETE FROM search_fts WHERE rowid = ?').run(id);
      stmt(db, 'DELETE FROM search_text WHERE id = ?').run(id);
    }
    return had;
  })();
}

/** Merges the index's segments into one: slower to run, faster to query. For after a bulk load. */
export function optimizeIndex(db: Database): void {
  db.prepare("INSERT INTO search_fts (search_fts) VALUES ('optimize')").run();
}

export function indexedCount(db: Database): number {
  return (stmt(db, 'SELECT count(*) AS n FROM search_docs').get() as { n: number }).n;
}

interface Filter {
  sql: string;
  params: unknown[];
}

function filters(q: ParsedQuery): Filter {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.sites.length) {
    where.push(`d.site IN (${q.sites.map(() => '?').join(', ')})`);
    params.push(...q.sites);
  }
  if (q.notSites.length) {
    where.push(`d.site NOT IN (${q.notSites.map(() => '?').join(', ')})`);
    params.push(...q.notSites);
  }
  if (q.after !== undefined) {
    where.push('d.published >= ?');
    params.push(q.after);
  }
  if (q.before !== undefined) {
    where.push('d.published < ?');
    params.push(q.before);
  }
  return { sql: where.join(' AND '), params };
}

interface Candidate {
  id: number;
  site: string;
  published: number | null;
  rel: number;
  score: number;
}

function recency(published: number | null, now: number): number {
  if (published == null) return 0;
  const age = Math.max(0, now - published);
  return 1 / (1 + age / RECENCY_HALF_LIFE);
}

function int(value: unknown, what: string, def: number, max: number): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new SearchQueryError(`${what} must be a non-negative integer`);
  return Math.min(value, max);
}

/**
 * Runs a query (see docs/search.md for the syntax). Ranking: bm25 (title
 * weighted) blended with recency over the CANDIDATES; ties go to the newer
 * item. A query of filters alone lists the newest matching items.
 */
export function search(db: Database, query: string, options: SearchOptions = {}): SearchResult {
  const limit = int(options.limit, 'limit', 20, MAX_LIMIT);
  const offset = int(options.offset, 'offset', 0, MAX_OFFSET);
  const now = options.now ?? Date.now();
  const q = parseQuery(query);
  const c = compileQuery(q);
  const f = filters(q);
  const hasFilter = f.sql !== '';
  if (!c.match && !hasFilter) {
    if (q.not.length) throw new SearchQueryError('a query needs at least one word to look for, not only -exclusions');
    return { total: 0, exact: true, hits: [] };
  }

  let total: number;
  let exact = true;
  let page: Candidate[];
  if (c.match) {
    // CROSS JOIN keeps the FTS5 table outside, so it is read newest first and
    // the scan stops after the candidates.
    const cond = hasFilter ? `AND ${f.sql}` : '';
    const params = [c.match, ...f.params];
    const window = Math.max(CANDIDATES, offset + limit);
    const from = `FROM search_fts f CROSS JOIN search_docs d ON d.id = f.rowid WHERE search_fts MATCH ? ${cond}`;
    let rows: { id: number; rel: number; site: string; published: number | null }[];
    try {
      rows = stmt(db, `SELECT f.rowid AS id, 1 AS rel, d.site, d.published ${from} ORDER BY f.rowid DESC LIMIT ?`)
        .all(...params, window) as typeof rows;
      if (rows.length < window) {
        // bm25 scans every match of each phrase for its IDF: affordable only
        // when the matches are few, which the first pass has just shown.
        total = rows.length;
        rows = stmt(db, `SELECT f.rowid AS id, -bm25(search_fts, ${TITLE_WEIGHT}, 1) AS rel, d.site, d.published ${from}`)
          .all(...params) as typeof rows;
      } else {
        // Many matches: the newest first. (A title boost cost 5-10 ms more here:
        // a {title} filter in FTS5 checks every match, and reading 1000 titles
        // from search_text touches 1000 pages.)
        total = (stmt(db, `SELECT count(*) AS n FROM (SELECT 1 ${from} LIMIT ${COUNT_CAP})`).get(...params) as { n: number }).n;
        exact = total < COUNT_CAP;
      }
    } catch (err) {
      // Only our own quoting reaches FTS5; a syntax error here is a bug, but say what was asked.
      throw new SearchQueryError(`cannot run query ${JSON.stringify(query)}: ${(err as Error).message}`);
    }
    const cands: Candidate[] = rows.map((r) => {
      // bm25 is at least ~0 for a match; a tiny floor lets recency order equal matches.
      const rel = Math.max(r.rel, 1e-9);
      return { id: r.id, site: r.site, published: r.published, rel, score: rel * (1 + RECENCY_BOOST * recency(r.published, now)) };
    });
    cands.sort((a, b) => b.score - a.score || (b.published ?? -Infinity) - (a.published ?? -Infinity) || b.id - a.id);
    page = cands.slice(offset, offset + limit);
  } else {
    const not = c.exclude ? 'AND d.id NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)' : '';
    const params = [...f.params, ...(c.exclude ? [c.exclude] : [])];
    total = (stmt(db, `SELECT count(*) AS n FROM (SELECT 1 FROM search_docs d WHERE ${f.sql} ${not} LIMIT ${COUNT_CAP})`).get(...params) as { n: number }).n;
    exact = total < COUNT_CAP;
    const rows = stmt(
      db,
      `SELECT d.id, d.site, d.published FROM search_docs d WHERE ${f.sql} ${not}
       ORDER BY d.published IS NULL, d.published DESC, d.id DESC LIMIT ? OFFSET ?`,
    ).all(...params, limit, offset) as { id: number; site: string; published: number | null }[];
    page = rows.map((r) => ({ ...r, rel: 0, score: recency(r.published, now) }));
  }

  const pattern = markPattern(c.marks);
  const textOf = stmt(db, 'SELECT title, body FROM search_text WHERE id = ?');
  const hits = page.map((p): Hit => {
    const t = (textOf.get(p.id) as { title: string; body: string } | undefined) ?? { title: '', body: '' };
    return {
      id: p.id,
      site: p.site,
      title: t.title,
      titleHtml: highlight(t.title, pattern),
      snippet: makeSnippet(t.body, pattern, options.snippetWidth),
      published: p.published,
      score: p.score,
    };
  });
  return { total, exact, hits };
}
