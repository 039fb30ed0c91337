// The mirror: parsed feed items in, archive files and index rows out.
//
// Crash safety comes from the order of the writes. A new item's file is written
// atomically first, its row committed after; a crash in between leaves a file
// without a row, which reconcile() adopts at the next start. A revision records
// the replaced version first, rewrites the file, then updates the row; each step
// can be redone and recognizes that it was done. So after a crash at any moment
// nothing is half-written, nothing is stored twice, and what was not committed
// is fetched again (the feed's validators are stored only after ingest returns).
import { promises as fs, rmSync } from 'node:fs';
import path from 'node:path';
import { Archive, ArchiveFormatError, cleanupTemp, pickTime, publish, type ArchiveItem, type PublishResult } from '../archive/index.ts';
import { cleanHtml, localizeImages, normalizeLink, type ImageOptions, type Rule } from '../content/index.ts';
import type { Fetcher } from '../fetch/index.ts';
import type { Feed, Item } from '../parse/index.ts';
import { ItemStore, type Database, type ItemRow } from '../store/index.ts';
import { indexItems, type IndexItem } from '../search/index.ts';
import { contentHash, prepare, type Prepared } from './prepare.ts';
import { ArchiveIdError, ItemWriter, type WriteSession, type Written } from './files.ts';
import { loadPage, savePage, wantsPage, type FetchSettings, type FullText, type FulltextMode, type Outcome } from './fulltext.ts';

export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface MirrorOptions {
  /** Time zone of the dates in lists/<site>.md (default Asia/Shanghai). */
  timeZone?: string;
  images?: ImageOptions;
  /** Boilerplate rules (default: the content module's built-in ones). */
  rules?: readonly Rule[];
  /** New files created before their fsyncs are awaited (default 128): the fsyncs of a batch overlap. */
  writeBatch?: number;
  now?: () => number;
  log?: Log;
  /** Replaces the content cleaner (benchmarks measure the stages apart). */
  clean?: (html: string, baseUrl: string | undefined) => string;
  /** Adds the time spent in each stage, ms (for benchmarks). */
  timings?: StageTimings;
  /** Full text from article pages, per target's mode (none: feeds' content only). */
  fulltext?: FullText;
  /** images.mode archive: images downloaded into the archive's assets/ and referenced relatively. */
  archiveImages?: { fetcher: Fetcher; maxBytes?: number; referers?: Readonly<Record<string, string>> };
  /** Keep the full-text search index current with every item written (the last pipeline stage). */
  search?: boolean;
}

export interface ReextractResult {
  checked: number;
  changed: number;
  unchanged: number;
  failed: number;
  errors: string[];
}

export interface StageTimings {
  /** Keys, hashes and index lookups. */
  dedupe: number;
  clean: number;
  /** Archive files (atomic writes). */
  write: number;
  /** Index rows (one transaction per feed and site). */
  store: number;
}

/** Where a feed's items go: one archive site per subscription name. */
export interface Target {
  site: string;
  /** The list heading (default: the site name). */
  heading?: string;
  feedId?: number;
  /** Full-text mode of the subscription (default auto, when the mirror has full text at all). */
  fulltext?: FulltextMode;
  /** The feed's own proxy, user agent and headers, for its article pages too. */
  fetch?: FetchSettings;
}

export interface IngestResult {
  added: number;
  updated: number;
  /** Known items whose file had gone missing, written again. */
  restored: number;
  unchanged: number;
  duplicates: number;
  failed: number;
  errors: string[];
}

export interface ReconcileReport {
  tempRemoved: number;
  adopted: number;
  missing: number;
  /** Rows refreshed from their files (rebuild). */
  refreshed: number;
  /** Rows dropped because their file is gone (rebuild). */
  dropped: number;
  unreadable: string[];
}

export interface CycleResult {
  added: number;
  updated: number;
  lists: string[];
  publish?: PublishResult;
  publishError?: string;
}

export interface ImportResult {
  imported: number;
  duplicates: number;
  unreadable: string[];
}

interface Cleaned {
  html: string;
  contentHash: string;
}

interface NewOne {
  p: Prepared;
  c: Cleaned;
  time: number;
  order: number;
  written?: { path: string; id: number };
  id?: number;
}

async function pool<T>(list: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  const worker = async (): Promise<void> => {
    while (i < list.length) await fn(list[i++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, list.length)) }, worker));
}

/**
 * New rows per transaction: the rows of durable files are committed while the
 * next files are written, in few transactions (each commit rewrites the index
 * pages it touched, and the indexes are keyed by hashes).
 */
const STORE_BATCH = 512;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class Mirror {
  readonly archive: Archive;
  readonly items: ItemStore;
  private readonly writer: ItemWriter;
  private queue: Promise<unknown> = Promise.resolve();
  /** Sites whose list needs rewriting: directory → heading. */
  private changed = new Map<string, string>();
  private counts = { added: 0, updated: 0 };
  private readonly now: () => number;
  /** Image URL → asset path already downloaded (archive image mode). */
  private readonly known = new Map<string, string>();

  constructor(readonly db: Database, readonly root: string, private readonly opts: MirrorOptions = {}) {
    this.archive = new Archive(root);
    this.items = new ItemStore(db);
    this.writer = new ItemWriter(this.archive, opts.writeBatch);
    this.now = opts.now ?? Date.now;
  }

  /** Runs one archive operation at a time: dedupe must see what the previous one committed. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private cleanHtml(p: Prepared): string {
    if (this.opts.clean) return this.opts.clean(p.raw, p.url || undefined);
    return cleanHtml(p.raw, {
      baseUrl: p.url || undefined,
      images: this.opts.images,
      rules: this.opts.rules,
      onError: (step, e) => this.opts.log?.warn({ url: p.url, step }, `cleaning step failed: ${message(e)}`),
    });
  }

  /** Archives a parsed feed's items into each target site. Never throws for one item: see `failed`. */
  ingest(feed: Feed | readonly Item[], targets: readonly Target[]): Promise<IngestResult> {
    const items = Array.isArray(feed) ? (feed as readonly Item[]) : (feed as Feed).items;
    return this.serial(() => this.ingestNow(items, targets));
  }

  private async ingestNow(items: readonly Item[], targets: readonly Target[]): Promise<IngestResult> {
    const result: IngestResult = { added: 0, updated: 0, restored: 0, unchanged: 0, duplicates: 0, failed: 0, errors: [] };
    const fail = (what: string, e: unknown): void => {
      result.failed++;
      if (result.errors.length < 20) result.errors.push(`${what}: ${message(e)}`);
    };
    const prepared: (Prepared | undefined)[] = items.map((item, i) => {
      try {
        return prepare(item);
      } catch (e) {
        fail(`item ${i + 1}`, e);
        return undefined;
      }
    });
    const pages = this.opts.fulltext ? await this.fullTexts(prepared, targets) : new Map<number, Outcome>();
    // Cleaning is the costly step: once per item, whatever the number of sites.
    const cleaned = new Map<number, Cleaned>();
    const timings = this.opts.timings;
    let cleanMs = 0;
    const cleanOf = (i: number): Cleaned => {
      let c = cleaned.get(i);
      if (!c) {
        const t = timings ? performance.now() : 0;
        const html = this.cleanHtml(prepared[i]!);
        if (timings) cleanMs += performance.now() - t;
        cleaned.set(i, (c = { html, contentHash: contentHash(prepared[i]!.title, html) }));
      }
      return c;
    };
    const now = this.now();
    // Oldest first: of two copies of an item, the original claims it; and new items go
    // to the writer in this order, so that ids (counting down) put the newest at the top.
    // Feeds list newest first, so among equal times the later one is older.
    const times = prepared.map((p) => (p ? pickTime(p, now, now) : 0));
    const order = prepared.map((_, i) => i).sort((a, b) => times[a] - times[b] || b - a);
    const sites = new Map<string, Target>();
    for (const t of targets) {
      const dir = this.archive.siteDir(t.site);
      if (!sites.has(dir)) sites.set(dir, t);
    }

    for (const [site, target] of sites) {
      const seen = new Set<string>();
      const news: NewOne[] = [];
      const revisions: { row: ItemRow; p: Prepared; c: Cleaned; i: number }[] = [];
      const restores: { row: ItemRow; p: Prepared; c: Cleaned; i: number }[] = [];
      const touches: { id: number; fields: Partial<ItemRow> }[] = [];
      // Fills in what an adopted or imported row lacks, so the next lookup is the cheap one.
      const touch = (row: ItemRow, p: Prepared): void => {
        const fields: Partial<ItemRow> = {};
        if (row.sourceHash !== p.sourceHash) fields.sourceHash = p.sourceHash;
        if (!row.guid && p.guid) fields.guid = p.guid;
        if (!row.link && p.link) fields.link = p.link;
        if (row.feedId === undefined && target.feedId !== undefined) fields.feedId = target.feedId;
        if (Object.keys(fields).length) touches.push({ id: row.id, fields });
      };

      const t0 = timings ? performance.now() - cleanMs : 0;
      // New items go to the writer as dedupe finds them; it writes them a batch at a time
      // while dedupe goes on, and their rows are committed as soon as their files are
      // durable (file first, row after), while the next files are being written.
      const written: NewOne[] = [];
      const handed = new Set<number>();
      const durable: NewOne[] = [];
      let storeMs = 0;
      const store = (batch: NewOne[]): void => {
        const t = timings ? performance.now() : 0;
        try {
          this.db.transaction(() => {
            for (const n of batch) {
              n.id = this.items.insert({
                site, feedId: target.feedId, guid: n.p.guid, link: n.p.link, url: n.p.url, title: n.p.title,
                sourceHash: n.p.sourceHash, contentHash: n.c.contentHash, time: n.time, firstSeen: now,
                archiveId: n.written!.id, path: n.written!.path,
              });
            }
          }).immediate();
          result.added += batch.length;
          for (const n of batch) {
            written.push(n);
            this.keepPage(n.id!, pages.get(n.order));
          }
        } catch (e) {
          // Without rows the files would be written again next time: take them back.
          for (const n of batch) {
            try {
              rmSync(this.abs(n.written!.path), { force: true });
            } catch {
              // Adopted at the next start instead.
            }
            n.written = undefined;
          }
          fail(`store (${batch.length} items)`, e);
        }
        if (timings) storeMs += performance.now() - t;
      };
      let session: WriteSession | undefined;
      let writeMs = 0;
      let broken: unknown;
      const onBatch = (done: readonly number[], res: readonly (Written | Error)[]): void => {
        for (const k of done) {
          news[k].written = res[k] as Written;
          handed.add(k);
          durable.push(news[k]);
        }
        if (durable.length >= STORE_BATCH) store(durable.splice(0));
      };
      const toWriter = async (n: NewOne): Promise<void> => {
        news.push(n);
        if (broken) return;
        const t = timings ? performance.now() : 0;
        try {
          session ??= await this.writer.begin(site, onBatch);
          await session.add({ time: n.time, title: n.p.title, url: n.p.url, html: n.c.html });
        } catch (e) {
          broken = e;
        }
        if (timings) writeMs += performance.now() - t;
      };

      for (const i of order) {
        const p = prepared[i];
        if (!p) continue;
        try {
          const keys = [p.guid && `g${p.guid}`, p.link && `l${p.link}`, `s${p.sourceHash}`].filter((k): k is string => !!k);
          if (keys.some((k) => seen.has(k))) {
            result.duplicates++;
            continue;
          }
          for (const k of keys) seen.add(k);
          const hit = this.items.find(site, p);
          if (hit) {
            const { row, rule } = hit;
            if (row.missing) {
              restores.push({ row, p, c: cleanOf(i), i });
              continue;
            }
            if (row.sourceHash === p.sourceHash) {
              result.unchanged++;
              continue;
            }
            if (rule === 'source') {
              // The same text under another guid and link: a repost.
              result.duplicates++;
              continue;
            }
            const c = cleanOf(i);
            if (c.contentHash === row.contentHash) {
              result.unchanged++;
              touch(row, p);
            } else revisions.push({ row, p, c, i });
            continue;
          }
          const c = cleanOf(i);
          const same = seen.has(`c${c.contentHash}`) ? true : this.items.findByContent(site, c.contentHash);
          if (same) {
            result.duplicates++;
            if (same !== true) touch(same, p);
            continue;
          }
          seen.add(`c${c.contentHash}`);
          const n: NewOne = { p, c, time: times[i], order: i };
          // After the content hash: dedupe compares what the feed gave, not where its images went.
          if (this.opts.archiveImages) n.c = await this.localize(site, n.c, n.p.url);
          await toWriter(n);
        } catch (e) {
          fail(`item ${i + 1}`, e);
        }
      }

      const t1 = timings ? performance.now() - cleanMs : 0;
      if (this.opts.archiveImages) for (const r of [...revisions, ...restores]) r.c = await this.localize(site, r.c, r.p.url);
      if (session) {
        try {
          const out = await session.end();
          out.forEach((w, k) => {
            if (w instanceof Error) fail(news[k].p.url || news[k].p.title, w);
          });
        } catch (e) {
          broken ??= e;
        }
      }
      // Durable files, whatever happened to the batches after them.
      if (durable.length) store(durable.splice(0));
      if (broken) {
        // The directory itself failed (created or flushed), or the writer thread: whatever was
        // renamed and not stored is adopted at the next start.
        this.writer.forget(site);
        fail(`${news.length - handed.size} items`, broken);
      }
      const t2 = timings ? performance.now() : 0;
      if (timings) {
        // The main thread's time: dedupe, handing items to the writer (rendering, and waiting
        // for it when it is behind), storing rows. The writer thread's disk work overlaps all three.
        const end = t2 - cleanMs;
        timings.dedupe += t1 - t0 - writeMs;
        timings.write += writeMs + (end - t1) - storeMs;
        timings.store += storeMs;
      }
      if (touches.length) {
        try {
          this.db.transaction(() => {
            for (const t of touches) this.items.update(t.id, t.fields);
          }).immediate();
        } catch (e) {
          fail(`store (${touches.length} known items)`, e);
        }
        if (timings) timings.store += performance.now() - t2;
      }

      for (const r of restores) {
        try {
          await this.restore(r.row, r.p, r.c, target.feedId);
          result.restored++;
          this.keepPage(r.row.id, pages.get(r.i));
        } catch (e) {
          fail(r.row.path, e);
        }
      }
      const indexed: IndexItem[] = [];
      for (const n of written) if (n.id !== undefined) indexed.push({ id: n.id, site, title: n.p.title, html: n.c.html, published: n.time });
      for (const r of restores) indexed.push({ id: r.row.id, site, title: r.p.title, html: r.c.html, published: r.row.time ?? now });
      for (const r of revisions) {
        try {
          if (await this.revise(r.row, r.p, r.c)) {
            result.updated++;
            indexed.push({ id: r.row.id, site, title: r.p.title, html: r.c.html, published: r.row.time ?? now });
          } else result.unchanged++;
          this.keepPage(r.row.id, pages.get(r.i));
        } catch (e) {
          fail(r.row.path, e);
        }
      }
      if (this.opts.search && indexed.length) {
        // The archive is already complete: an index failure is reported and caught up by `search --update`.
        try {
          indexItems(this.db, indexed);
        } catch (e) {
          this.opts.log?.warn({ site, err: (e as Error).message }, 'search index not updated (run feedmirror search --update)');
        }
      }
      if (written.length || result.updated || result.restored) this.changed.set(site, target.heading ?? target.site);
    }
    if (timings) timings.clean += cleanMs;
    this.counts.added += result.added + result.restored;
    this.counts.updated += result.updated;
    return result;
  }

  /**
   * Fetches the article pages of the items that call for them (by their targets'
   * mode) and are new or changed somewhere; a page's laid-out article replaces the
   * item's HTML, its source hash stays the feed's (a repeat is still recognized
   * without fetching). A failure keeps the feed's content.
   */
  private async fullTexts(prepared: readonly (Prepared | undefined)[], targets: readonly Target[]): Promise<Map<number, Outcome>> {
    const ft = this.opts.fulltext!;
    const out = new Map<number, Outcome>();
    const rank = { never: 0, auto: 1, always: 2 } as const;
    const mode = targets.map((t) => t.fulltext ?? 'auto').reduce<FulltextMode>((a, b) => (rank[b] > rank[a] ? b : a), 'never');
    if (mode === 'never') return out;
    const settings = targets.find((t) => t.fetch)?.fetch ?? {};
    const sites = [...new Set(targets.map((t) => this.archive.siteDir(t.site)))];
    const todo: number[] = [];
    prepared.forEach((p, i) => {
      if (!p || !/^https?:\/\//i.test(p.url) || !wantsPage(mode, p.raw, ft.minChars)) return;
      const fresh = sites.some((site) => {
        const hit = this.items.find(site, p);
        return !hit || hit.row.missing || hit.row.sourceHash !== p.sourceHash;
      });
      if (fresh) todo.push(i);
    });
    await pool(todo, ft.concurrency, async (i) => {
      const p = prepared[i] as Prepared;
      const o = await ft.run(p.url, p.raw, settings, mode === 'always');
      out.set(i, o);
      if (o.html !== undefined) (prepared as (Prepared | undefined)[])[i] = { ...p, raw: o.html };
      else this.opts.log?.warn({ url: p.url }, `full text not used, the feed's content is kept: ${o.error}`);
    });
    return out;
  }

  /** Stores an item's page (or why there is none); a failure here loses only the page. */
  private keepPage(itemId: number, o: Outcome | undefined): void {
    if (!o) return;
    try {
      savePage(this.db, itemId, o, this.now());
    } catch (e) {
      this.opts.log?.warn({ url: o.url }, `article page not stored: ${message(e)}`);
    }
  }

  /** Archive image mode: the item's images downloaded into assets/, referenced relatively. */
  private async localize(site: string, c: Cleaned, url: string): Promise<Cleaned> {
    const a = this.opts.archiveImages;
    if (!a) return c;
    try {
      const r = await localizeImages(c.html, {
        archiveRoot: this.archive.root, itemDir: `articles/${site}`, fetcher: a.fetcher, maxBytes: a.maxBytes, referers: a.referers, known: this.known,
      });
      for (const f of r.failed) this.opts.log?.warn({ url, image: f.url }, `image not archived: ${f.error}`);
      return { html: r.html, contentHash: c.contentHash };
    } catch (e) {
      this.opts.log?.warn({ url }, `images not archived: ${message(e)}`);
      return c;
    }
  }

  /**
   * Applies the current site rules and template to the stored pages of items
   * (all, one feed's, or one item) and writes a revision where the result differs.
   */
  reextract(sel: { all?: boolean; feedIds?: number[]; itemIds?: number[] }): Promise<ReextractResult> {
    return this.serial(async () => {
      const ft = this.opts.fulltext;
      if (!ft) throw new Error('full text is not configured');
      const res: ReextractResult = { checked: 0, changed: 0, unchanged: 0, failed: 0, errors: [] };
      let ids: number[];
      // Pages the feed's content won over (not longer) stay unused; a page without an article may have one under a new rule.
      const q = "SELECT p.item_id FROM item_pages p JOIN items i ON i.id = p.item_id WHERE p.body IS NOT NULL AND (p.error IS NULL OR p.error LIKE 'no article found%')";
      if (sel.all) ids = this.db.prepare(`${q} ORDER BY p.item_id`).pluck().all() as number[];
      else {
        const byFeed = this.db.prepare(`${q} AND i.feed_id = ? ORDER BY p.item_id`).pluck();
        const byItem = this.db.prepare(`${q} AND p.item_id = ?`).pluck();
        ids = [...new Set([
          ...(sel.feedIds ?? []).flatMap((f) => byFeed.all(f) as number[]),
          ...(sel.itemIds ?? []).flatMap((i) => byItem.all(i) as number[]),
        ])];
      }
      for (const id of ids) {
        const row = this.items.get(id);
        const stored = loadPage(this.db, id);
        if (!row || !stored?.page) continue;
        res.checked++;
        try {
          const r = await ft.render(stored.page);
          const p: Prepared = { guid: row.guid, link: row.link, url: row.url, title: row.title, raw: r.html, sourceHash: row.sourceHash ?? '' };
          const html = this.cleanHtml(p);
          const c: Cleaned = { html, contentHash: contentHash(row.title, html) };
          if (c.contentHash === row.contentHash) {
            res.unchanged++;
            continue;
          }
          if (await this.revise(row, p, await this.localize(row.site, c, row.url))) {
            res.changed++;
            // Titles stay: the lists need no rewrite, only the commit counts it.
            this.counts.updated++;
            this.db.prepare('UPDATE item_pages SET error = NULL WHERE item_id = ?').run(id);
          } else res.unchanged++;
        } catch (e) {
          res.failed++;
          if (res.errors.length < 20) res.errors.push(`${row.path}: ${message(e)}`);
        }
      }
      return res;
    });
  }

  /** Records the file's version as a revision, rewrites the file in place, updates the row. False if nothing changed. */
  private async revise(row: ItemRow, p: Prepared, c: Cleaned): Promise<boolean> {
    const now = this.now();
    let prev: ArchiveItem | undefined;
    try {
      prev = await this.archive.read(row.path);
    } catch (e) {
      if (!(e instanceof ArchiveFormatError) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const next: ArchiveItem = { time: row.time ?? prev?.time ?? pickTime(p, row.firstSeen, now), title: p.title, url: p.url, html: c.html };
    const prevHash = prev ? contentHash(prev.title, prev.html) : undefined;
    const fields = { title: p.title, url: p.url, contentHash: c.contentHash, sourceHash: p.sourceHash, guid: row.guid ?? p.guid, link: row.link ?? p.link };
    if (prevHash === c.contentHash) {
      // The file holds this version already (a crash after rewriting it): only the row is behind.
      this.db.transaction(() => {
        this.items.update(row.id, { ...fields, revisions: this.revisionCount(row.id) });
      }).immediate();
      return prev !== undefined && row.contentHash !== c.contentHash;
    }
    if (prev) {
      const last = this.items.lastRevision(row.id);
      // Recorded already by an attempt that crashed before rewriting the file.
      const recorded = last !== undefined && last.contentHash === prevHash && row.contentHash === prevHash;
      if (!recorded) this.items.addRevision(row.id, { title: prev.title, url: prev.url, html: prev.html, contentHash: prevHash! }, now);
    }
    if (prev) await this.archive.update(row.path, next);
    else await this.writeFixed(row, next);
    this.db.transaction(() => {
      this.items.update(row.id, { ...fields, updated: now, revisions: this.revisionCount(row.id) });
    }).immediate();
    return true;
  }

  private revisionCount(id: number): number {
    return this.db.prepare('SELECT count(*) FROM item_revisions WHERE item_id = ?').pluck().get(id) as number;
  }

  /** Writes a known item's file again under its own id (the file was lost). */
  private async restore(row: ItemRow, p: Prepared, c: Cleaned, feedId?: number): Promise<void> {
    const item: ArchiveItem = { time: row.time ?? pickTime(p, row.firstSeen, this.now()), title: p.title, url: p.url, html: c.html };
    const written = await this.writeFixed(row, item);
    this.db.transaction(() => {
      this.items.update(row.id, {
        path: written.path, missing: false, title: p.title, url: p.url, contentHash: c.contentHash, sourceHash: p.sourceHash,
        time: item.time, guid: row.guid ?? p.guid, link: row.link ?? p.link, feedId: row.feedId ?? feedId,
      });
    }).immediate();
  }

  private async writeOne(site: string, item: ArchiveItem & { id?: number }): Promise<{ path: string; id: number }> {
    const [w] = await this.writer.write(site, [item]);
    if (w instanceof Error) throw w;
    return w;
  }

  private async writeFixed(row: ItemRow, item: ArchiveItem): Promise<{ path: string; id: number }> {
    try {
      return await this.writeOne(row.site, { ...item, id: row.archiveId });
    } catch (e) {
      if (!(e instanceof ArchiveIdError)) throw e;
      // Its id was taken meanwhile (by a file adopted at start-up): a new one, then.
      const w = await this.writeOne(row.site, item);
      this.items.update(row.id, { archiveId: w.id, path: w.path });
      return w;
    }
  }

  private abs(rel: string): string {
    return path.join(this.archive.root, ...rel.split('/'));
  }

  /**
   * Brings index and files into agreement (call at start-up, before ingesting):
   * temporary files removed, files without rows adopted, rows without files
   * marked missing and their feeds' validators cleared so they are fetched in
   * full again. With `rebuild`, every row is also refreshed from its file and
   * rows without files are dropped.
   */
  reconcile(opts: { rebuild?: boolean } = {}): Promise<ReconcileReport> {
    return this.serial(() => this.reconcileNow(opts.rebuild ?? false));
  }

  private async reconcileNow(rebuild: boolean): Promise<ReconcileReport> {
    const report: ReconcileReport = { tempRemoved: 0, adopted: 0, missing: 0, refreshed: 0, dropped: 0, unreadable: [] };
    report.tempRemoved = (await cleanupTemp(this.archive.root)).length;
    const rows = this.items.paths();
    const found = new Set<string>();
    const now = this.now();
    const adopt: { site: string; id: number; path: string; item: ArchiveItem }[] = [];
    const refresh: { id: number; item: ArchiveItem }[] = [];
    const back: number[] = [];
    for await (const f of this.archive.walk()) {
      const row = rows.get(f.path);
      if (row && !rebuild) {
        found.add(f.path);
        if (row.missing) back.push(row.id);
        continue;
      }
      let item: ArchiveItem;
      try {
        item = await this.archive.read(f.path);
      } catch (e) {
        report.unreadable.push(`${f.path}: ${message(e)}`);
        // A row keeps its unreadable file: the file is still the source of truth.
        if (row) found.add(f.path);
        continue;
      }
      found.add(f.path);
      if (row) {
        if (row.missing) back.push(row.id);
        refresh.push({ id: row.id, item });
      } else {
        adopt.push({ site: f.site, id: f.id, path: f.path, item });
      }
    }
    const clearFeed = this.db.prepare('UPDATE feeds SET etag = NULL, last_modified = NULL, next_check = 0 WHERE id = ?');
    const byId = this.db.prepare('SELECT id, path FROM items WHERE site = ? AND archive_id = ?');
    this.db.transaction(() => {
      for (const id of back) this.items.update(id, { missing: false });
      for (const r of refresh) {
        this.items.update(r.id, {
          title: r.item.title, url: r.item.url, contentHash: contentHash(r.item.title, r.item.html), time: r.item.time,
          link: r.item.url ? normalizeLink(r.item.url) : undefined,
        });
        report.refreshed++;
      }
      for (const a of adopt) {
        const other = byId.get(a.site, a.id) as { id: number; path: string } | undefined;
        if (other && !found.has(other.path)) {
          // The same item under a new file name (its file was rewritten): follow it.
          this.items.update(other.id, { path: a.path, missing: false, title: a.item.title, url: a.item.url, contentHash: contentHash(a.item.title, a.item.html) });
          found.add(other.path);
          continue;
        }
        if (other) {
          report.unreadable.push(`${a.path}: id ${a.id} is used by ${other.path} too`);
          continue;
        }
        this.items.insert({
          site: a.site, url: a.item.url, title: a.item.title, link: a.item.url ? normalizeLink(a.item.url) : undefined,
          contentHash: contentHash(a.item.title, a.item.html), time: a.item.time, firstSeen: now, archiveId: a.id, path: a.path,
        });
        report.adopted++;
        this.changed.set(a.site, this.changed.get(a.site) ?? a.site);
      }
      for (const [p, row] of rows) {
        if (found.has(p)) continue;
        if (rebuild) {
          this.items.delete(row.id);
          report.dropped++;
        } else if (!row.missing) {
          this.items.update(row.id, { missing: true });
          if (row.feedId !== undefined) clearFeed.run(row.feedId);
          report.missing++;
        }
        this.changed.set(p.split('/')[1], this.changed.get(p.split('/')[1]) ?? p.split('/')[1]);
      }
    }).immediate();
    if (rebuild) for (const site of await this.archive.sites()) this.changed.set(site, this.changed.get(site) ?? site);
    return report;
  }

  /**
   * Takes in the item files of another archive in this layout (articles/<site>/…),
   * skipping items already here (same site and link, or same title and HTML).
   * `sites` maps its site directory names to ours.
   */
  import(dir: string, opts: { sites?: Record<string, string> } = {}): Promise<ImportResult> {
    return this.serial(async () => {
      const source = new Archive(dir);
      const result: ImportResult = { imported: 0, duplicates: 0, unreadable: [] };
      if (path.resolve(dir) === this.archive.root) throw new Error('cannot import an archive into itself');
      const now = this.now();
      const seen = new Set<string>();
      for await (const f of source.walk()) {
        let item: ArchiveItem;
        try {
          item = await source.read(f.path);
        } catch (e) {
          result.unreadable.push(`${f.path}: ${message(e)}`);
          continue;
        }
        const siteName = opts.sites?.[f.site] ?? f.site;
        const site = this.archive.siteDir(siteName);
        const link = item.url ? normalizeLink(item.url) : undefined;
        const ch = contentHash(item.title, item.html);
        const keys = [link && `${site}\0l${link}`, `${site}\0c${ch}`].filter((k): k is string => !!k);
        if (keys.some((k) => seen.has(k)) || (link && this.items.find(site, { link })) || this.items.findByContent(site, ch)) {
          result.duplicates++;
          continue;
        }
        for (const k of keys) seen.add(k);
        // Older files without a time: their modification time is the best guess left.
        const time = item.time ?? Math.floor((await fs.stat(path.join(source.root, ...f.path.split('/')))).mtimeMs);
        let written: { path: string; id: number };
        try {
          written = await this.writeOne(siteName, { time, title: item.title, url: item.url, html: item.html, id: f.id });
        } catch (e) {
          if (!(e instanceof ArchiveIdError)) throw e;
          written = await this.writeOne(siteName, { time, title: item.title, url: item.url, html: item.html });
        }
        this.items.insert({
          site, url: item.url, title: item.title, link, contentHash: ch, time, firstSeen: now, archiveId: written.id, path: written.path,
        });
        result.imported++;
        this.counts.added++;
        this.changed.set(site, this.changed.get(site) ?? siteName);
      }
      return result;
    });
  }

  /** Rewrites the lists of the sites that changed, then commits (and pushes) if asked. */
  finishCycle(opts: { git?: { enabled: boolean; remote?: string; branch?: string } } = {}): Promise<CycleResult> {
    return this.serial(async () => {
      const out: CycleResult = { added: this.counts.added, updated: this.counts.updated, lists: [] };
      for (const [site, heading] of this.changed) {
        const entries = this.items.newest(site, 300).map((r) => ({ file: r.path.slice(r.path.lastIndexOf('/') + 1), title: r.title, time: r.time }));
        out.lists.push(await this.archive.writeList(site, entries, { timeZone: this.opts.timeZone, heading }));
      }
      this.changed.clear();
      if (opts.git?.enabled) {
        try {
          out.publish = await publish(this.archive.root, { newCount: out.added, updatedCount: out.updated, remote: opts.git.remote, branch: opts.git.branch });
          if (out.publish.pushError) this.opts.log?.warn({ remote: opts.git.remote }, `git push failed (retried next cycle): ${out.publish.pushError}`);
        } catch (e) {
          out.publishError = message(e);
          this.opts.log?.warn({}, `git commit failed (retried next cycle): ${out.publishError}`);
        }
        // Counted again next cycle if the commit failed, so the message stays true.
        if (!out.publishError) this.counts = { added: 0, updated: 0 };
      } else this.counts = { added: 0, updated: 0 };
      return out;
    });
  }

  /** Waits for the operation in progress (and those queued) to finish. */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }
}
