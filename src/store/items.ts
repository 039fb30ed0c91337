// The content index: one row per archived item, its earlier versions, and the
// reader's state. The archive files hold the current title and HTML; rows hold
// what dedupe, lists and revisions need.
import type { Database, Statement } from 'better-sqlite3';

export interface ItemRow {
  id: number;
  /** The archive site directory. */
  site: string;
  feedId?: number;
  guid?: string;
  /** The normalized link (dedupe key). */
  link?: string;
  /** The URL as archived. */
  url: string;
  title: string;
  sourceHash?: string;
  contentHash: string;
  time?: number;
  firstSeen: number;
  updated?: number;
  revisions: number;
  archiveId: number;
  path: string;
  missing: boolean;
}

export type NewItemRow = Omit<ItemRow, 'id' | 'revisions' | 'missing' | 'updated'> & { updated?: number };

export interface RevisionRow {
  id: number;
  itemId: number;
  title: string;
  url: string;
  html: string;
  contentHash: string;
  /** When this version was replaced by the next one. */
  replaced: number;
}

/** How a known item was found: the dedupe rule that matched. */
export type MatchRule = 'guid' | 'link' | 'source' | 'content';

export interface SiteStats {
  site: string;
  items: number;
  /** Items with at least one earlier version. */
  edited: number;
  revisions: number;
  missing: number;
  newest?: number;
}

interface Raw {
  id: number; site: string; feed_id: number | null; guid: string | null; link: string | null; url: string;
  title: string; source_hash: string | null; content_hash: string; time: number | null; first_seen: number;
  updated: number | null; revisions: number; archive_id: number; path: string; missing: number;
}

interface RawRevision { id: number; item_id: number; title: string; url: string; html: string; content_hash: string; replaced: number }

function fromRawRevision(r: RawRevision): RevisionRow {
  return { id: r.id, itemId: r.item_id, title: r.title, url: r.url, html: r.html, contentHash: r.content_hash, replaced: r.replaced };
}

const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function fromRaw(r: Raw): ItemRow {
  return {
    id: r.id, site: r.site, feedId: u(r.feed_id), guid: u(r.guid), link: u(r.link), url: r.url, title: r.title,
    sourceHash: u(r.source_hash), contentHash: r.content_hash, time: u(r.time), firstSeen: r.first_seen,
    updated: u(r.updated), revisions: r.revisions, archiveId: r.archive_id, path: r.path, missing: r.missing === 1,
  };
}

/** Prepared statements for one database, made once: ingest runs them per item. */
export class ItemStore {
  private readonly byGuid: Statement;
  private readonly byLink: Statement;
  private readonly bySource: Statement;
  private readonly byContent: Statement;
  private readonly byPath: Statement;
  private readonly byId: Statement;
  private readonly insertStmt: Statement;

  constructor(readonly db: Database) {
    const one = (where: string): Statement => db.prepare(`SELECT * FROM items WHERE ${where} ORDER BY id LIMIT 1`);
    this.byGuid = one('site = ? AND guid = ?');
    this.byLink = one('site = ? AND link = ?');
    this.bySource = one('site = ? AND source_hash = ?');
    this.byContent = one('site = ? AND content_hash = ?');
    this.byPath = one('path = ?');
    this.byId = one('id = ?');
    this.insertStmt = db.prepare(`
      INSERT INTO items (site, feed_id, guid, link, url, title, source_hash, content_hash, time, first_seen, updated, archive_id, path)
      VALUES (@site, @feedId, @guid, @link, @url, @title, @sourceHash, @contentHash, @time, @firstSeen, @updated, @archiveId, @path)`);
  }

  /** Dedupe lookup: by guid, then by normalized link, then by the raw version's hash. */
  find(site: string, keys: { guid?: string; link?: string; sourceHash?: string }): { row: ItemRow; rule: MatchRule } | undefined {
    const tries: [MatchRule, Statement, string | undefined][] = [
      ['guid', this.byGuid, keys.guid], ['link', this.byLink, keys.link], ['source', this.bySource, keys.sourceHash],
    ];
    for (const [rule, stmt, key] of tries) {
      if (!key) continue;
      const r = stmt.get(site, key) as Raw | undefined;
      if (r) return { row: fromRaw(r), rule };
    }
    return undefined;
  }

  findByContent(site: string, contentHash: string): ItemRow | undefined {
    const r = this.byContent.get(site, contentHash) as Raw | undefined;
    return r && fromRaw(r);
  }

  byPathOf(path: string): ItemRow | undefined {
    const r = this.byPath.get(path) as Raw | undefined;
    return r && fromRaw(r);
  }

  get(id: number): ItemRow | undefined {
    const r = this.byId.get(id) as Raw | undefined;
    return r && fromRaw(r);
  }

  /** Inserts rows; call inside a transaction for many. Returns the new ids. */
  insert(row: NewItemRow): number {
    return Number(this.insertStmt.run({
      site: row.site, feedId: row.feedId ?? null, guid: row.guid ?? null, link: row.link ?? null, url: row.url,
      title: row.title, sourceHash: row.sourceHash ?? null, contentHash: row.contentHash, time: row.time ?? null,
      firstSeen: row.firstSeen, updated: row.updated ?? null, archiveId: row.archiveId, path: row.path,
    }).lastInsertRowid);
  }

  /** Sets fields of a row (only those given). */
  update(id: number, fields: Partial<Omit<ItemRow, 'id'>>): void {
    const cols: Record<string, string> = {
      site: 'site', feedId: 'feed_id', guid: 'guid', link: 'link', url: 'url', title: 'title', sourceHash: 'source_hash',
      contentHash: 'content_hash', time: 'time', firstSeen: 'first_seen', updated: 'updated', revisions: 'revisions',
      archiveId: 'archive_id', path: 'path', missing: 'missing',
    };
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [k, v] of Object.entries(fields)) {
      const col = cols[k];
      if (!col || v === undefined) continue;
      sets.push(`${col} = ?`);
      values.push(typeof v === 'boolean' ? Number(v) : v);
    }
    if (sets.length) this.db.prepare(`UPDATE items SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM items WHERE id = ?').run(id);
  }

  /** Every row's id and path (for reconciling with the files). */
  paths(): Map<string, { id: number; missing: boolean; feedId?: number }> {
    const out = new Map<string, { id: number; missing: boolean; feedId?: number }>();
    for (const r of this.db.prepare('SELECT id, path, missing, feed_id FROM items').iterate() as Iterable<{ id: number; path: string; missing: number; feed_id: number | null }>) {
      out.set(r.path, { id: r.id, missing: r.missing === 1, feedId: u(r.feed_id) });
    }
    return out;
  }

  /** The newest items of a site (lowest archive id first), for its list. */
  newest(site: string, limit: number): ItemRow[] {
    return (this.db.prepare('SELECT * FROM items WHERE site = ? AND missing = 0 ORDER BY archive_id, path LIMIT ?').all(site, limit) as Raw[]).map(fromRaw);
  }

  addRevision(itemId: number, prev: { title: string; url: string; html: string; contentHash: string }, replaced: number): number {
    return Number(this.db.prepare('INSERT INTO item_revisions (item_id, title, url, html, content_hash, replaced) VALUES (?, ?, ?, ?, ?, ?)')
      .run(itemId, prev.title, prev.url, prev.html, prev.contentHash, replaced).lastInsertRowid);
  }

  /** Earlier versions of an item, oldest first. */
  revisions(itemId: number): RevisionRow[] {
    return (this.db.prepare('SELECT * FROM item_revisions WHERE item_id = ? ORDER BY id').all(itemId) as RawRevision[]).map(fromRawRevision);
  }

  lastRevision(itemId: number): RevisionRow | undefined {
    const r = this.db.prepare('SELECT * FROM item_revisions WHERE item_id = ? ORDER BY id DESC LIMIT 1').get(itemId) as RawRevision | undefined;
    return r && fromRawRevision(r);
  }

  /** Per archive site: items, edited items, revisions, newest time. */
  siteStats(): SiteStats[] {
    return (this.db.prepare(`
      SELECT site, count(*) AS items, sum(revisions > 0) AS edited, sum(revisions) AS revisions,
             sum(missing) AS missing, max(time) AS newest
      FROM items GROUP BY site ORDER BY site`).all() as { site: string; items: number; edited: number; revisions: number; missing: number; newest: number | null }[])
      .map((r) => ({ site: r.site, items: r.items, edited: r.edited, revisions: r.revisions, missing: r.missing, newest: u(r.newest) }));
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM items').pluck().get() as number;
  }

  /** The reader's marks on an item. */
  setState(itemId: number, state: { read?: boolean; starred?: boolean }, now = Date.now()): void {
    this.db.prepare(`
      INSERT INTO item_state (item_id, read, starred, updated) VALUES (?, coalesce(?, 0), coalesce(?, 0), ?)
      ON CONFLICT (item_id) DO UPDATE SET read = coalesce(?2, read), starred = coalesce(?3, starred), updated = ?4`)
      .run(itemId, state.read === undefined ? null : Number(state.read), state.starred === undefined ? null : Number(state.starred), now);
  }

  getState(itemId: number): { read: boolean; starred: boolean } {
    const r = this.db.prepare('SELECT read, starred FROM item_state WHERE item_id = ?').get(itemId) as { read: number; starred: number } | undefined;
    return { read: r?.read === 1, starred: r?.starred === 1 };
  }
}

/** A value kept by the mirror across runs (e.g. that the starter list was added). */
export function getMeta(db: Database, key: string): string | undefined {
  return db.prepare('SELECT value FROM mirror_meta WHERE key = ?').pluck().get(key) as string | undefined;
}

export function setMeta(db: Database, key: string, value: string): void {
  db.prepare('INSERT INTO mirror_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
