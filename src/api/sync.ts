// What the three sync APIs share: feeds (= subscriptions), labels (= their
// categories, with stable integer ids), item pages by keyset on the item id
// (= crawl order, the primary key: no sort, no scan, however deep), state
// changes, and item HTML through the reader's image rewriting and sanitizer.
import type { Statement } from 'better-sqlite3';
import type { ImageOptions } from '../content/index.ts';
import { Lru, Served } from '../publish/index.ts';
import type { Database } from '../store/index.ts';

export interface SyncOptions {
  /** The archive directory (holding articles/). */
  root: string;
  images?: ImageOptions;
}

export interface FeedView {
  /** The subscription id: what every API calls the feed id. */
  id: number;
  feedId: number;
  site: string;
  url: string;
  title: string;
  siteUrl?: string;
  category?: string;
  lastFetch?: number;
  lastSuccess?: number;
  lastError?: string;
  errorCount: number;
  nextCheck: number;
}

export interface Label {
  id: number;
  name: string;
}

export interface ItemView {
  id: number;
  site: string;
  feedId?: number;
  /** The subscription the item came through, if it still exists. */
  sub?: FeedView;
  url: string;
  title: string;
  /** Published (ms); the crawl time when the feed gave none. */
  published: number;
  /** When the mirror first saw it (ms). */
  crawled: number;
  updated?: number;
  contentHash: string;
  path: string;
  read: boolean;
  starred: boolean;
  changed: number;
}

/** Which items: every field narrows. */
export interface ItemQuery {
  sub?: FeedView;
  /** A label name; '' = items of subscriptions without a category. */
  label?: string;
  starred?: boolean;
  read?: boolean;
  /** id > afterId */
  afterId?: number;
  /** id < beforeId */
  beforeId?: number;
  /** first_seen >= (ms) */
  crawledFrom?: number;
  /** first_seen < (ms) */
  crawledTo?: number;
  /** published (ms) range */
  publishedFrom?: number;
  publishedTo?: number;
  ids?: readonly number[];
}

export interface PageOptions {
  /** Default 'id'. */
  order?: 'id' | 'published';
  direction?: 'asc' | 'desc';
  limit: number;
  offset?: number;
}

interface Raw {
  id: number; site: string; feed_id: number | null; url: string; title: string; time: number | null; first_seen: number;
  updated: number | null; content_hash: string; path: string; read: number | null; starred: number | null; changed: number | null;
}

const WHEN = 'coalesce(i.time, i.first_seen)';
export const MAX_IDS = 10_000;

export class Sync {
  private readonly served: Served;
  private readonly stmts = new Map<string, Statement<unknown[]>>();
  private readonly labelIds = new Map<string, number>();
  private readonly counts = new Lru<{ max: number; n: number; at: number }>(500);
  private unreadCache?: { at: number; rows: { site: string; feed_id: number | null; n: number; newest: number }[] };
  private totalCache?: { max: number; n: number; at: number };
  private feedCache?: { at: number; list: FeedView[]; byKey: Map<string, FeedView>; bySite: Map<string, FeedView> };

  constructor(readonly db: Database, opts: SyncOptions) {
    this.served = new Served({ root: opts.root, images: opts.images, cache: 2000 });
  }

  private prepare(sql: string): Statement<unknown[]> {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** Subscriptions as feeds; cached for a second (every item of a page looks its feed up). */
  feeds(): FeedView[] {
    return this.feedIndex().list;
  }

  forget(): void {
    this.feedCache = undefined;
  }

  private feedIndex(): NonNullable<Sync['feedCache']> {
    const now = Date.now();
    if (this.feedCache && now - this.feedCache.at < 1000) return this.feedCache;
    const rows = this.prepare(`
      SELECT s.id, s.feed_id, s.site, s.category, f.url, coalesce(t.title, f.title, s.site) AS title, f.site_url, f.last_fetch,
             f.last_success, f.last_error, f.error_count, f.next_check
      FROM subscriptions s JOIN feeds f ON f.id = s.feed_id LEFT JOIN api_feed_titles t ON t.subscription_id = s.id
      ORDER BY s.id`).all() as {
      id: number; feed_id: number; site: string; category: string | null; url: string; title: string; site_url: string | null;
      last_fetch: number | null; last_success: number | null; last_error: string | null; error_count: number; next_check: number;
    }[];
    const list = rows.map((r): FeedView => ({
      id: r.id, feedId: r.feed_id, site: r.site, url: r.url, title: r.title, siteUrl: r.site_url ?? undefined, category: r.category ?? undefined,
      lastFetch: r.last_fetch ?? undefined, lastSuccess: r.last_success ?? undefined, lastError: r.last_error ?? undefined,
      errorCount: r.error_count, nextCheck: r.next_check,
    }));
    const byKey = new Map<string, FeedView>();
    const bySite = new Map<string, FeedView>();
    for (const f of list) {
      if (!byKey.has(`${f.feedId}|${f.site}`)) byKey.set(`${f.feedId}|${f.site}`, f);
      if (!bySite.has(f.site)) bySite.set(f.site, f);
    }
    this.feedCache = { at: now, list, byKey, bySite };
    return this.feedCache;
  }

  feed(id: number): FeedView | undefined {
    return this.feeds().find((f) => f.id === id);
  }

  feedByUrl(url: string): FeedView | undefined {
    return this.feeds().find((f) => f.url === url);
  }

  /** The subscription an item row belongs to. */
  subOf(site: string, feedId: number | null | undefined): FeedView | undefined {
    const idx = this.feedIndex();
    return (feedId != null ? idx.byKey.get(`${feedId}|${site}`) : undefined) ?? idx.bySite.get(site);
  }

  /** Every category in use, with its id (created on first sight). */
  labels(): Label[] {
    const names = [...new Set(this.feeds().flatMap((f) => (f.category ? [f.category] : [])))];
    const ins = this.prepare('INSERT OR IGNORE INTO api_labels (name) VALUES (?)');
    for (const n of names) ins.run(n);
    const all = this.prepare('SELECT id, name FROM api_labels ORDER BY name').all() as Label[];
    const used = new Set(names);
    return all.filter((l) => used.has(l.name));
  }

  /** A label's id, created on first use; ids never change, so they are kept. */
  labelId(name: string): number {
    let id = this.labelIds.get(name);
    if (id === undefined) {
      this.prepare('INSERT OR IGNORE INTO api_labels (name) VALUES (?)').run(name);
      id = this.prepare('SELECT id FROM api_labels WHERE name = ?').pluck().get(name) as number;
      this.labelIds.set(name, id);
    }
    return id;
  }

  labelName(id: number): string | undefined {
    return this.prepare('SELECT name FROM api_labels WHERE id = ?').pluck().get(id) as string | undefined;
  }

  private where(q: ItemQuery, args: Record<string, unknown>): string[] {
    const w = ['i.missing = 0'];
    if (q.sub) {
      // The (site, when, id) index narrows to the site; the feed id then picks the subscription's own items.
      w.push('i.site = @site AND (i.feed_id = @feedId OR i.feed_id IS NULL)');
      args.site = q.sub.site;
      args.feedId = q.sub.feedId;
    }
    if (q.label !== undefined) {
      const subs = this.feeds().filter((f) => (q.label === '' ? !f.category : f.category === q.label));
      if (!subs.length) w.push('0');
      else {
        w.push(`(${subs.map((_, n) => `(i.site = @ls${n} AND (i.feed_id = @lf${n} OR i.feed_id IS NULL))`).join(' OR ')})`);
        subs.forEach((f, n) => {
          args[`ls${n}`] = f.site;
          args[`lf${n}`] = f.feedId;
        });
      }
    }
    if (q.starred !== undefined) w.push(q.starred ? 's.starred = 1' : 'coalesce(s.starred, 0) = 0');
    // Every item has a state row (migration 8's trigger): "s.read = 0" lets SQLite
    // walk the partial unread index instead of every item.
    if (q.read !== undefined) w.push(q.read ? 's.read = 1' : 's.read = 0');
    if (q.afterId !== undefined) (w.push('i.id > @afterId'), (args.afterId = q.afterId));
    if (q.beforeId !== undefined) (w.push('i.id < @beforeId'), (args.beforeId = q.beforeId));
    if (q.crawledFrom !== undefined) (w.push('i.first_seen >= @cf'), (args.cf = q.crawledFrom));
    if (q.crawledTo !== undefined) (w.push('i.first_seen < @ct'), (args.ct = q.crawledTo));
    if (q.publishedFrom !== undefined) (w.push(`${WHEN} >= @pf`), (args.pf = q.publishedFrom));
    if (q.publishedTo !== undefined) (w.push(`${WHEN} < @pt`), (args.pt = q.publishedTo));
    if (q.ids) {
      const ids = q.ids.filter((n) => Number.isSafeInteger(n)).slice(0, MAX_IDS);
      w.push(ids.length ? `i.id IN (SELECT value FROM json_each(@ids))` : '0');
      args.ids = JSON.stringify(ids);
    }
    return w;
  }

  /**
   * The join, in the order SQLite should take it: unread items in id order
   * come from the partial unread index (as many rows as there are unread
   * items); otherwise the items' own keys lead.
   */
  private from(q: ItemQuery, byId: boolean): string {
    return q.read === false && byId && !q.sub && q.label === undefined && !q.ids
      ? 'item_state s CROSS JOIN items i ON i.id = s.item_id'
      : 'items i JOIN item_state s ON s.item_id = i.id';
  }

  /** One page of items. */
  items(q: ItemQuery, page: PageOptions): ItemView[] {
    const args: Record<string, unknown> = { limit: Math.max(0, Math.min(page.limit, MAX_IDS)), offset: Math.max(0, page.offset ?? 0) };
    const dir = page.direction === 'asc' ? 'ASC' : 'DESC';
    const from = this.from(q, page.order !== 'published');
    // By the driving index's own column: SQLite does not sort what it walks in order.
    const idCol = from.startsWith('item_state') ? 's.item_id' : 'i.id';
    const order = page.order === 'published' ? `${WHEN} ${dir}, i.id ${dir}` : `${idCol} ${dir}`;
    const sql = `SELECT i.id, i.site, i.feed_id, i.url, i.title, i.time, i.first_seen, i.updated, i.content_hash, i.path,
        s.read, s.starred, s.updated AS changed
      FROM ${from}
      WHERE ${this.where(q, args).join(' AND ')} ORDER BY ${order} LIMIT @limit OFFSET @offset`;
    return (this.prepare(sql).all(args) as Raw[]).map((r) => this.view(r));
  }

  /** All items, cached while no item is added (Fever sends it with every page). */
  total(): number {
    const max = (this.prepare('SELECT max(id) FROM items').pluck().get() as number | null) ?? 0;
    const now = Date.now();
    if (this.totalCache && this.totalCache.max === max && now - this.totalCache.at < 60_000) return this.totalCache.n;
    const n = this.prepare('SELECT count(*) FROM items WHERE missing = 0').pluck().get() as number;
    this.totalCache = { max, n, at: now };
    return n;
  }

  /**
   * How many items match. Counts that do not depend on the read state are kept
   * until an item is added (Miniflux sends a total with every page, and a
   * count reads every matching row).
   */
  count(q: ItemQuery): number {
    const stateless = q.read === undefined && q.starred === undefined;
    const key = stateless ? JSON.stringify({ ...q, sub: q.sub?.id }) : '';
    const max = stateless ? ((this.prepare('SELECT max(id) FROM items').pluck().get() as number | null) ?? 0) : 0;
    const hit = stateless ? this.counts.get(key) : undefined;
    if (hit && hit.max === max && Date.now() - hit.at < 60_000) return hit.n;
    const n = this.countNow(q);
    if (stateless) this.counts.set(key, { max, n, at: Date.now() });
    return n;
  }

  private countNow(q: ItemQuery): number {
    const args: Record<string, unknown> = {};
    // The state join only when the state filters: a count reads every matching row.
    const join = q.read !== undefined || q.starred !== undefined ? 'JOIN item_state s ON s.item_id = i.id' : '';
    const sql = `SELECT count(*) FROM items i ${join} WHERE ${this.where(q, args).join(' AND ')}`;
    return this.prepare(sql).pluck().get(args) as number;
  }

  /** Ids only, newest first unless asked. */
  ids(q: ItemQuery, limit: number, direction: 'asc' | 'desc' = 'desc'): { id: number; crawled: number; published: number; sub?: FeedView; read: boolean; starred: boolean }[] {
    const args: Record<string, unknown> = { limit: Math.max(0, Math.min(limit, MAX_IDS)) };
    const from = this.from(q, true);
    const idCol = from.startsWith('item_state') ? 's.item_id' : 'i.id';
    const sql = `SELECT i.id, i.site, i.feed_id, i.first_seen, ${WHEN} AS w, s.read, s.starred FROM ${from}
      WHERE ${this.where(q, args).join(' AND ')} ORDER BY ${idCol} ${direction === 'asc' ? 'ASC' : 'DESC'} LIMIT @limit`;
    return (this.prepare(sql).all(args) as { id: number; site: string; feed_id: number | null; first_seen: number; w: number; read: number | null; starred: number | null }[])
      .map((r) => ({ id: r.id, crawled: r.first_seen, published: r.w, sub: this.subOf(r.site, r.feed_id), read: r.read === 1, starred: r.starred === 1 }));
  }

  /** Every unread item id, from the partial index: as many rows read as there are unread items. */
  unreadIds(): number[] {
    return this.prepare(`SELECT s.item_id FROM item_state s JOIN items i ON i.id = s.item_id WHERE s.read = 0 AND i.missing = 0 ORDER BY s.item_id`).pluck().all() as number[];
  }

  starredIds(): number[] {
    return this.prepare(`SELECT s.item_id FROM item_state s JOIN items i ON i.id = s.item_id WHERE s.starred = 1 AND i.missing = 0 ORDER BY s.item_id`).pluck().all() as number[];
  }

  /** Unread items per subscription key, and the newest crawl time. */
  unreadCounts(): { sub?: FeedView; site: string; count: number; newest: number }[] {
    // Kept two seconds (clients ask after every sync step); our own marks drop it at once.
    if (!this.unreadCache || Date.now() - this.unreadCache.at > 2000) {
      this.unreadCache = {
        at: Date.now(),
        rows: this.prepare(`SELECT i.site, i.feed_id, count(*) AS n, max(i.first_seen) AS newest FROM item_state s JOIN items i ON i.id = s.item_id
          WHERE s.read = 0 AND i.missing = 0 GROUP BY i.site, i.feed_id`).all() as { site: string; feed_id: number | null; n: number; newest: number }[],
      };
    }
    const rows = this.unreadCache.rows;
    return rows.map((r) => ({ sub: this.subOf(r.site, r.feed_id), site: r.site, count: r.n, newest: r.newest }));
  }

  private view(r: Raw): ItemView {
    return {
      id: r.id, site: r.site, feedId: r.feed_id ?? undefined, sub: this.subOf(r.site, r.feed_id), url: r.url, title: r.title,
      published: r.time ?? r.first_seen, crawled: r.first_seen, updated: r.updated ?? undefined, contentHash: r.content_hash, path: r.path,
      read: r.read === 1, starred: r.starred === 1, changed: r.changed ?? r.first_seen,
    };
  }

  /** The item's HTML as the reader shows it: images rewritten, sanitized again. '' if the file is gone. */
  content(item: ItemView): string {
    try {
      return this.served.html(item) ?? '';
    } catch {
      // Clients get the item without its body rather than a failed page (a bad image template throws).
      return '';
    }
  }

  /** Sets read and/or starred on existing items; returns how many rows changed. */
  mark(ids: readonly number[], state: { read?: boolean; starred?: boolean }, now = Date.now()): number {
    const read = state.read === undefined ? null : Number(state.read);
    const starred = state.starred === undefined ? null : Number(state.starred);
    const stmt = this.prepare(`
      INSERT INTO item_state (item_id, read, starred, updated) SELECT id, coalesce(@read, 0), coalesce(@starred, 0), @now FROM items WHERE id = @id
      ON CONFLICT (item_id) DO UPDATE SET read = coalesce(@read, read), starred = coalesce(@starred, starred), updated = @now`);
    let n = 0;
    this.unreadCache = undefined;
    this.db.transaction(() => {
      for (const id of ids.slice(0, MAX_IDS)) n += stmt.run({ id, read, starred, now }).changes;
    }).immediate();
    return n;
  }

  /** Marks read every unread item matching the query (mark-all-as-read, Fever's "before"). */
  markRead(q: ItemQuery, now = Date.now()): number {
    const args: Record<string, unknown> = { now };
    this.unreadCache = undefined;
    const where = this.where({ ...q, read: false }, args);
    return this.prepare(`UPDATE item_state SET read = 1, updated = @now WHERE item_id IN (
      SELECT i.id FROM items i JOIN item_state s ON s.item_id = i.id WHERE ${where.join(' AND ')})`).run(args).changes;
  }

  setTitle(subId: number, title: string | undefined): void {
    if (title?.trim()) this.prepare('INSERT OR REPLACE INTO api_feed_titles (subscription_id, title) VALUES (?, ?)').run(subId, title.trim().slice(0, 500));
    else this.prepare('DELETE FROM api_feed_titles WHERE subscription_id = ?').run(subId);
    this.forget();
  }

  newestCrawl(): number {
    return (this.prepare('SELECT max(first_seen) FROM items').pluck().get() as number | null) ?? 0;
  }
}

/** Request ids, with a limit on how many. */
export function intList(v: unknown, max = MAX_IDS): number[] {
  const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',') : typeof x === 'number' ? [String(x)] : []));
  const out: number[] = [];
  for (const p of parts) {
    const s = p.trim();
    if (/^\d{1,15}$/.test(s)) out.push(Number(s));
    if (out.length >= max) break;
  }
  return out;
}
