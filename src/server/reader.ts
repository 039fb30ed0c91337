// What the reader pages show, read from the store and the archive files.
// Lists page by keyset (when, id) on the items_when indexes: a page deep in a
// 100,000-item archive costs what the first one does.
import { decodeHTML } from 'entities';
import type { ImageOptions } from '../content/index.ts';
import { Served } from '../publish/index.ts';
import type { Statement } from 'better-sqlite3';
import { ItemStore, type Database, type ItemRow } from '../store/index.ts';
import type { EntryView } from '../web/index.ts';

export interface Cursor {
  when: number;
  id: number;
}

export type Scope =
  | { kind: 'all' }
  | { kind: 'site'; site: string }
  | { kind: 'starred' }
  /** [from, to) in epoch ms. */
  | { kind: 'range'; from: number; to: number };

/** An item in a list: what the page's entry shows, without the search highlights. */
export type ListItem = Omit<EntryView, 'snippet' | 'titleHtml'>;

export interface Page {
  items: ListItem[];
  /** The cursor of the next (older) page, if there is one. */
  older?: Cursor;
  /** The cursor of the previous (newer) page, if there is one. */
  newer?: Cursor;
}

export interface SiteCount {
  site: string;
  total: number;
  unread: number;
}

export interface Article extends ListItem {
  html: string;
  revisions: number;
  /** Neighbours in the all-items order: older is "next" when reading down the list. */
  older?: number;
  newer?: number;
}

export const PAGE_SIZE = 30;
const EXCERPT_CHARS = 140;
const WHEN = 'coalesce(i.time, i.first_seen)';

/**
 * Past the cursor (@w, @id), written so SQLite seeks the index on the time
 * (a row-value comparison would scan from the top: slow deep in the archive).
 */
const after = (up: boolean): string =>
  up ? `${WHEN} >= @w AND (${WHEN} > @w OR i.id > @id)` : `${WHEN} <= @w AND (${WHEN} < @w OR i.id < @id)`;

/** "1730302743000.42" ⇄ {when, id}; anything else is no cursor. */
export function parseCursor(s: unknown): Cursor | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^(-?\d{1,16})\.(\d{1,16})$/.exec(s);
  if (!m) return undefined;
  const c = { when: Number(m[1]), id: Number(m[2]) };
  return Number.isSafeInteger(c.when) && Number.isSafeInteger(c.id) ? c : undefined;
}

export const formatCursor = (c: Cursor): string => `${c.when}.${c.id}`;

/** Plain text of cleaned HTML, for excerpts. */
export function textOf(html: string, max = EXCERPT_CHARS): string {
  const text = decodeHTML(html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${[...text].slice(0, max).join('')}…` : text;
}

interface Raw {
  id: number;
  site: string;
  title: string;
  url: string;
  path: string;
  content_hash: string;
  w: number;
  read: number | null;
  starred: number | null;
  excerpt: string | null;
}

const COLUMNS = `i.id, i.site, i.title, i.url, i.path, i.content_hash, ${WHEN} AS w, s.read, s.starred, e.excerpt`;
const JOINS = `LEFT JOIN item_state s ON s.item_id = i.id
  LEFT JOIN reader_excerpts e ON e.item_id = i.id AND e.content_hash = i.content_hash`;

export interface ReaderOptions {
  /** The archive directory (holding articles/). */
  root: string;
  images?: ImageOptions;
  /** How long the per-site counts may be stale after the mirror adds items (ms). */
  countsTtl?: number;
}

export class Reader {
  readonly items: ItemStore;
  private readonly served: Served;
  private counts?: { at: number; value: SiteCount[] };
  private readonly stmts = new Map<string, Statement<unknown[]>>();

  constructor(readonly db: Database, private readonly opts: ReaderOptions) {
    this.items = new ItemStore(db);
    this.served = new Served({ root: opts.root, images: opts.images, cache: 256 });
  }

  private prepare(sql: string): Statement<unknown[]> {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** A page of items, newest first; `before` pages down (older), `after` up (newer). */
  list(scope: Scope, opts: { before?: Cursor; after?: Cursor; unread?: boolean; limit?: number } = {}): Page {
    const limit = Math.max(1, Math.min(opts.limit ?? PAGE_SIZE, 200));
    const where: string[] = ['i.missing = 0'];
    const args: Record<string, string | number> = { limit: limit + 1 };
    if (scope.kind === 'site') {
      where.push('i.site = @site');
      args.site = scope.site;
    } else if (scope.kind === 'starred') {
      where.push('s.starred = 1');
    } else if (scope.kind === 'range') {
      where.push(`${WHEN} >= @from AND ${WHEN} < @to`);
      args.from = scope.from;
      args.to = scope.to;
    }
    if (opts.unread) where.push('coalesce(s.read, 0) = 0');
    const up = !opts.before && !!opts.after;
    const cursor = opts.before ?? opts.after;
    if (cursor) {
      where.push(after(up));
      args.w = cursor.when;
      args.id = cursor.id;
    }
    const dir = up ? 'ASC' : 'DESC';
    const sql = `SELECT ${COLUMNS} FROM items i ${JOINS} WHERE ${where.join(' AND ')} ORDER BY ${WHEN} ${dir}, i.id ${dir} LIMIT @limit`;
    const rows = this.prepare(sql).all(args) as Raw[];
    const more = rows.length > limit;
    if (more) rows.pop();
    if (up) rows.reverse();
    const items = rows.map((r) => this.toItem(r));
    const first = items[0];
    const last = items[items.length - 1];
    const page: Page = { items };
    // Going down, there is a newer page whenever we came from a cursor; going up, whenever there were more rows.
    if (last && (up ? !!cursor : more)) page.older = { when: last.when, id: last.id };
    if (first && (up ? more : !!cursor)) page.newer = { when: first.when, id: first.id };
    return page;
  }

  /** Items by id, in the order given (search results). */
  byIds(ids: readonly number[]): ListItem[] {
    if (!ids.length) return [];
    const rows = this.prepare(`SELECT ${COLUMNS} FROM items i ${JOINS} WHERE i.id IN (${ids.map(() => '?').join(',')})`).all(...ids) as Raw[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [this.toItem(r)] : [];
    });
  }

  private toItem(r: Raw): ListItem {
    let excerpt = r.excerpt;
    if (excerpt === null) {
      // Filled on first sight and kept: the next list of the same items reads no file.
      const item = this.served.file(r.path);
      excerpt = item ? textOf(item.html) : '';
      if (item) {
        try {
          this.prepare('INSERT OR REPLACE INTO reader_excerpts (item_id, content_hash, excerpt) VALUES (?, ?, ?)').run(r.id, r.content_hash, excerpt);
        } catch {
          // A cache: when the database is busy or read-only, the page goes out without storing it.
        }
      }
    }
    return { id: r.id, site: r.site, title: r.title, url: r.url, when: r.w, read: r.read === 1, starred: r.starred === 1, excerpt };
  }

  /** Items and unread items per site; cached briefly (the list beside every page). */
  siteCounts(now = Date.now()): SiteCount[] {
    const ttl = this.opts.countsTtl ?? 10_000;
    if (this.counts && now - this.counts.at < ttl) return this.counts.value;
    const value = this.prepare(`
      SELECT i.site AS site, count(*) AS total, sum(coalesce(s.read, 0) = 0) AS unread
      FROM items i LEFT JOIN item_state s ON s.item_id = i.id
      WHERE i.missing = 0 GROUP BY i.site ORDER BY i.site`).all() as SiteCount[];
    this.counts = { at: now, value };
    return value;
  }

  /** Forget the cached counts (after the reader marked something). */
  invalidate(): void {
    this.counts = undefined;
  }

  article(id: number): Article | undefined {
    const r = this.prepare(`SELECT ${COLUMNS} FROM items i ${JOINS} WHERE i.id = ? AND i.missing = 0`).get(id) as Raw | undefined;
    if (!r) return undefined;
    const row = this.items.get(id) as ItemRow;
    const html = this.served.html({ id: r.id, contentHash: r.content_hash, path: r.path, url: r.url });
    if (html === undefined) return undefined;
    const older = this.prepare(`SELECT i.id FROM items i WHERE i.missing = 0 AND ${after(false)} ORDER BY ${WHEN} DESC, i.id DESC LIMIT 1`).pluck().get({ w: r.w, id: r.id }) as number | undefined;
    const newer = this.prepare(`SELECT i.id FROM items i WHERE i.missing = 0 AND ${after(true)} ORDER BY ${WHEN} ASC, i.id ASC LIMIT 1`).pluck().get({ w: r.w, id: r.id }) as number | undefined;
    const item = this.toItem(r);
    return { ...item, html, revisions: row.revisions, older, newer };
  }

  setState(id: number, state: { read?: boolean; starred?: boolean }): { read: boolean; starred: boolean } | undefined {
    if (!this.items.get(id)) return undefined;
    const read = state.read === undefined ? null : Number(state.read);
    const starred = state.starred === undefined ? null : Number(state.starred);
    this.prepare(`
      INSERT INTO item_state (item_id, read, starred, updated) VALUES (@id, coalesce(@read, 0), coalesce(@starred, 0), @now)
      ON CONFLICT (item_id) DO UPDATE SET read = coalesce(@read, read), starred = coalesce(@starred, starred), updated = @now`)
      .run({ id, read, starred, now: Date.now() });
    if (state.read !== undefined) this.invalidate();
    return this.items.getState(id);
  }

  /** Marks every item of a scope read (up to the newest one shown). */
  markAllRead(site?: string): number {
    const now = Date.now();
    const r = this.db.prepare(`
      INSERT INTO item_state (item_id, read, starred, updated)
      SELECT i.id, 1, 0, ? FROM items i WHERE i.missing = 0 ${site ? 'AND i.site = ?' : ''}
      ON CONFLICT (item_id) DO UPDATE SET read = 1, updated = excluded.updated`).run(...(site ? [now, site] : [now]));
    this.invalidate();
    return r.changes;
  }

  /** Title search, until src/search is there: substring match, newest first. */
  titleSearch(query: string, limit = 50): ListItem[] {
    const q = query.trim();
    if (!q) return [];
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.prepare(`SELECT ${COLUMNS} FROM items i ${JOINS} WHERE i.missing = 0 AND i.title LIKE ? ESCAPE '\\' ORDER BY ${WHEN} DESC, i.id DESC LIMIT ?`).all(like, limit) as Raw[];
    return rows.map((r) => this.toItem(r));
  }

  stats(): { feeds: number; items: number; failing: number; feedErrors: number; starred: number; unread: number } {
    const g = (sql: string): number => (this.prepare(sql).pluck().get() as number | null) ?? 0;
    return {
      feeds: g('SELECT count(*) FROM feeds WHERE id IN (SELECT feed_id FROM subscriptions)'),
      items: g('SELECT count(*) FROM items WHERE missing = 0'),
      failing: g('SELECT count(*) FROM feeds WHERE error_count > 0 AND id IN (SELECT feed_id FROM subscriptions)'),
      feedErrors: g('SELECT sum(error_count) FROM feeds WHERE id IN (SELECT feed_id FROM subscriptions)'),
      starred: g('SELECT count(*) FROM item_state WHERE starred = 1'),
      unread: this.siteCounts().reduce((n, s) => n + s.unread, 0),
    };
  }
}
