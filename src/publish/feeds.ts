// Republished feeds: which items (everything, a site, a category, a saved search),
// read from the archive and made safe to leave feedmirror (images per the image
// mode, sanitized), in one format-neutral document that rss/atom/json write out.
import { createHash } from 'node:crypto';
import type { ImageOptions } from '../content/index.ts';
import { search } from '../search/index.ts';
import type { Database } from '../store/index.ts';
import { Served } from './served.ts';

export type Selection =
  | { kind: 'all' }
  | { kind: 'site'; site: string }
  | { kind: 'category'; category: string }
  | { kind: 'search'; name: string };

export interface FeedEntry {
  /** Stable across rebuilds of the database: the archive site and the item's archive id. */
  id: string;
  site: string;
  title: string;
  /** The original article ('' when it was not an http(s) URL). */
  url: string;
  published: number;
  /** When feedmirror last changed the item (a revision), else `published`. */
  updated: number;
  /** Sanitized HTML, images rewritten. */
  html: string;
  /** Inputs of the validator: the row id and content hash. */
  key: string;
}

export interface FeedDoc {
  /** tag: URI of the feed. */
  id: string;
  title: string;
  /** The feed's own URL (absolute when a base URL is known, else relative to the feed file). */
  self: string;
  /** Where a person reads the mirror; may be undefined. */
  home?: string;
  /** Newest change of any entry (epoch ms); 0 when empty. */
  updated: number;
  entries: FeedEntry[];
}

export interface FeedOptions {
  /** Archive directory the item paths are relative to. */
  root: string;
  images?: ImageOptions;
  /** Newest N items (default 50, at most 500). */
  limit?: number;
  /** The feed's own URL and the home page, for self links. */
  self?: string;
  home?: string;
  /** Feed title prefix (default "feedmirror"). */
  title?: string;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
/** Names of saved searches, sites and categories as they appear in URLs. */
const NAME = /^[^\u0000-\u001f\u007f/\\]{1,200}$/;

export class FeedError extends Error {
  override name = 'FeedError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Stores a named query (replacing one of the same name). */
export function saveSearch(db: Database, name: string, query: string, now = Date.now()): void {
  if (!NAME.test(name) || name.trim() !== name) throw new FeedError(400, `saved search name: 1-200 characters, no slashes or control characters, no outer spaces: "${name}"`);
  if (!query.trim() || query.length > 1000) throw new FeedError(400, 'saved search query: 1-1000 characters');
  search(db, query, { limit: 1 }); // a query the search cannot read fails here, not in every feed request
  db.prepare('INSERT INTO saved_searches (name, query, created) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET query = excluded.query')
    .run(name, query, now);
}

export function deleteSearch(db: Database, name: string): boolean {
  return db.prepare('DELETE FROM saved_searches WHERE name = ?').run(name).changes > 0;
}

export function savedSearches(db: Database): { name: string; query: string }[] {
  return db.prepare('SELECT name, query FROM saved_searches ORDER BY name').all() as { name: string; query: string }[];
}

/** Categories with at least one subscription. */
export function categories(db: Database): string[] {
  return db.prepare("SELECT DISTINCT category FROM subscriptions WHERE category IS NOT NULL AND category != '' ORDER BY category").pluck().all() as string[];
}

export function sites(db: Database): string[] {
  return db.prepare('SELECT DISTINCT site FROM items WHERE missing = 0 ORDER BY site').pluck().all() as string[];
}

export interface Row {
  id: number; site: string; url: string; title: string; content_hash: string; time: number | null;
  first_seen: number; updated: number | null; archive_id: number; path: string;
}

const WHEN = 'coalesce(time, first_seen)';
const COLS = 'id, site, url, title, content_hash, time, first_seen, updated, archive_id, path';

/** The newest rows of a selection, newest first. */
export function selectRows(db: Database, sel: Selection, limit: number): Row[] {
  const order = `ORDER BY ${WHEN} DESC, id DESC LIMIT ?`;
  switch (sel.kind) {
    case 'all':
      return db.prepare(`SELECT ${COLS} FROM items WHERE missing = 0 ${order}`).all(limit) as Row[];
    case 'site':
      if (!db.prepare('SELECT 1 FROM items WHERE site = ? LIMIT 1').get(sel.site)) throw new FeedError(404, `no site "${sel.site}"`);
      return db.prepare(`SELECT ${COLS} FROM items WHERE missing = 0 AND site = ? ${order}`).all(sel.site, limit) as Row[];
    case 'category': {
      // A category belongs to subscriptions; an item is in it through its feed or its site.
      const exists = db.prepare('SELECT 1 FROM subscriptions WHERE category = ? LIMIT 1').get(sel.category);
      if (!exists) throw new FeedError(404, `no category "${sel.category}"`);
      return db.prepare(`SELECT ${COLS} FROM items WHERE missing = 0 AND (
        site IN (SELECT site FROM subscriptions WHERE category = @c) OR feed_id IN (SELECT feed_id FROM subscriptions WHERE category = @c))
        ORDER BY ${WHEN} DESC, id DESC LIMIT @limit`).all({ c: sel.category, limit }) as Row[];
    }
    case 'search': {
      const query = db.prepare('SELECT query FROM saved_searches WHERE name = ?').pluck().get(sel.name) as string | undefined;
      if (query === undefined) throw new FeedError(404, `no saved search "${sel.name}"`);
      const ids = search(db, query, { limit }).hits.map((h) => h.id);
      if (!ids.length) return [];
      return db.prepare(`SELECT ${COLS} FROM items WHERE missing = 0 AND id IN (SELECT value FROM json_each(?)) ${order}`)
        .all(JSON.stringify(ids), limit) as Row[];
    }
  }
}

/** A name that is safe in a tag: URI and stable: percent-encoded like a URL path segment. */
const seg = (s: string): string => encodeURIComponent(s);

export function selectionTitle(sel: Selection, prefix: string): string {
  switch (sel.kind) {
    case 'all': return prefix;
    case 'site': return `${prefix}: ${sel.site}`;
    case 'category': return `${prefix}: ${sel.category}`;
    case 'search': return `${prefix}: ${sel.name}`;
  }
}

export function selectionId(sel: Selection): string {
  const rest = sel.kind === 'all' ? 'all' : sel.kind === 'site' ? `site/${seg(sel.site)}` : sel.kind === 'category' ? `category/${seg(sel.category)}` : `search/${seg(sel.name)}`;
  return `tag:feedmirror,2024:feed/${rest}`;
}

/** The entry for one index row, or undefined when its file is gone or unreadable. */
export function entryOf(r: Row, served: Served): FeedEntry | undefined {
  const read = served.read(r);
  if (!read) return undefined;
  const { file, html } = read;
  // Dates JavaScript can hold (a hand-edited index must not make an "Invalid Date").
  const ok = (ms: number | null): ms is number => typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
  const published = ok(r.time) ? r.time : ok(r.first_seen) ? r.first_seen : 0;
  return {
    id: `tag:feedmirror,2024:item/${seg(r.site)}/${r.archive_id}`,
    site: r.site,
    title: file.title || r.title,
    // Only web links leave feedmirror: a feed's javascript: or data: link is dropped.
    url: /^https?:\/\//i.test(r.url) ? r.url : '',
    published,
    updated: Math.max(published, ok(r.updated) ? r.updated : 0),
    html,
    key: `${r.id}:${r.content_hash}`,
  };
}

/** The feed document of a selection: its newest items, read and cleaned. */
export function buildFeed(db: Database, sel: Selection, opts: FeedOptions): FeedDoc {
  return feedOf(sel, selectRows(db, sel, clampLimit(opts.limit)), opts);
}

export function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, Math.floor(Number.isFinite(limit) ? (limit as number) : DEFAULT_LIMIT)), MAX_LIMIT);
}

/** The document of rows already selected (the route computes its validators from the rows first). */
export function feedOf(sel: Selection, rows: Row[], opts: FeedOptions): FeedDoc {
  const served = new Served({ root: opts.root, images: opts.images });
  const entries: FeedEntry[] = [];
  for (const r of rows) {
    const e = entryOf(r, served);
    if (e) entries.push(e);
  }
  return {
    id: selectionId(sel),
    title: selectionTitle(sel, opts.title ?? 'feedmirror'),
    self: opts.self ?? '',
    home: opts.home,
    updated: entries.reduce((m, e) => Math.max(m, e.updated), 0),
    entries,
  };
}

/**
 * A strong validator of what a feed would hold (row ids, content versions, its
 * own URL and format), from the rows alone: a 304 costs no file reads.
 */
export function etagOf(rows: Row[], format: string, self: string): string {
  const h = createHash('sha256').update(format).update('\0').update(self);
  for (const r of rows) h.update(`\0${r.id}:${r.content_hash}:${r.updated ?? ''}:${r.time ?? r.first_seen}`);
  return `"${h.digest('base64url').slice(0, 27)}"`;
}

/** When feedmirror last wrote any of the rows (epoch ms, whole seconds as HTTP dates have them); 0 when none. */
export function lastModifiedOf(rows: Row[]): number {
  const ms = rows.reduce((m, r) => Math.max(m, r.first_seen, r.updated ?? 0), 0);
  return Math.floor(ms / 1000) * 1000;
}

/** XML 1.0 cannot carry these code points at all, escaped or not. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text for XML element content or a double-quoted attribute. */
export function xmlText(s: string): string {
  return s.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
