// Running the mirror: the scheduler loop behind `feedmirror run` (and a web
// reader later mounted beside it), and the single cycle of `feedmirror once`.
import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import { Fetcher } from '../fetch/index.ts';
import { BUILTIN_RULES } from '../content/index.ts';
import { runCycle, type CycleSummary, type FeedReport, type ParsedFeed } from '../schedule/index.ts';
import { openStore, type Database } from '../store/index.ts';
import { Mirror, type CycleResult, type IngestResult, type Log, type ReconcileReport, type Target, type MirrorOptions } from './mirror.ts';
import { seedStarter } from './starter.ts';
import { FullText, type FulltextMode } from './fulltext.ts';
import { lockDataDir } from './lock.ts';

/** The archive directory inside the data directory. */
export function archiveRoot(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'archive');
}

/** The mirror as configured; with a fetcher, also full text and (images.mode archive) downloaded images. */
export function makeMirror(db: Database, config: Config, log?: Log, fetcher?: Fetcher, overrides: Partial<MirrorOptions> = {}): Mirror {
  const ft = config.fulltext;
  return new Mirror(db, archiveRoot(config), {
    fulltext: fetcher && ft ? new FullText({
      fetcher, rulesDir: ft.rulesDir, minChars: ft.minChars, maxPages: ft.maxPages, concurrency: ft.concurrency, template: config.extractTemplate, log,
    }) : undefined,
    archiveImages: fetcher && config.images?.mode === 'archive'
      ? { fetcher, maxBytes: config.images.proxy.maxBytes, referers: config.images.proxy.referers } : undefined,
    timeZone: config.timeZone,
    // The template mode and the archive mode (downloaded copies, below) go into the archive;
    // the proxy mode is the web reader's, applied when it shows an item.
    images: config.imageTemplate ? { mode: 'template', template: config.imageTemplate } : undefined,
    rules: config.contentRules?.length ? [...BUILTIN_RULES, ...config.contentRules] : undefined,
    search: true,
    log,
    ...overrides,
  });
}

/** After reextract: the git commit (when configured) counts the revised items. */
export async function finishReextract(mirror: Mirror, config: Config): Promise<CycleResult> {
  return mirror.finishCycle({ git: config.git });
}

export function makeFetcher(config: Config): Fetcher {
  return new Fetcher({
    allow: config.allow, proxy: config.proxy, userAgent: config.userAgent, concurrency: config.concurrency,
    perHostConcurrency: config.perHost, perHostIntervalMs: config.perHostInterval, deadlineMs: config.timeout,
  });
}

/** The archive sites of a feed: its enabled subscriptions' names (all of them when none is enabled). */
export function targetsOf(db: Database, feedId: number): Target[] {
  const rows = db.prepare('SELECT site, enabled, fulltext FROM subscriptions WHERE feed_id = ? ORDER BY id').all(feedId) as { site: string; enabled: number; fulltext: string }[];
  const on = rows.filter((r) => r.enabled === 1);
  const f = db.prepare('SELECT proxy, user_agent, headers FROM feeds WHERE id = ?').get(feedId) as { proxy: string; user_agent: string; headers: string } | undefined;
  let headers: Record<string, string> | undefined;
  try {
    headers = f ? JSON.parse(f.headers) as Record<string, string> : undefined;
  } catch {
    headers = undefined;
  }
  // Article pages go the way the feed goes: its proxy, user agent and headers.
  const fetch = f ? { proxy: f.proxy === 'none' ? null : f.proxy || undefined, userAgent: f.user_agent || undefined, headers: headers && Object.keys(headers).length ? headers : undefined } : undefined;
  const rank: Record<string, number> = { never: 0, auto: 1, always: 2 };
  const mode = new Map<string, FulltextMode>();
  for (const r of on.length ? on : rows) {
    const m = (r.fulltext in rank ? r.fulltext : 'auto') as FulltextMode;
    const had = mode.get(r.site);
    if (!had || rank[m] > rank[had]) mode.set(r.site, m);
  }
  return [...mode].map(([site, fulltext]) => ({ site, feedId, fulltext, fetch }));
}

export interface MirrorEvents {
  log?: Log;
  onFeed?: (report: FeedReport, ingest?: IngestResult) => void;
  onCycle?: (summary: CycleSummary, result: CycleResult) => void;
  onReconcile?: (report: ReconcileReport) => void;
}

/** The per-feed hook of runCycle: archive the items, fail the feed (so it is fetched again) if any item was not stored. */
function archiver(db: Database, mirror: Mirror, results: Map<number, IngestResult>) {
  return async ({ feed, parsed }: ParsedFeed): Promise<void> => {
    const r = await mirror.ingest(parsed, targetsOf(db, feed.id));
    results.set(feed.id, r);
    if (r.failed) throw new Error(`${r.failed} of ${parsed.items.length} items not archived (${r.errors[0]}); fetched again next time`);
  };
}

/** Notes that a feed's last fetch went through the mirror (archived, or unchanged). */
function archived(db: Database, report: FeedReport): void {
  if (report.outcome === 'error') return;
  db.prepare('INSERT INTO feed_mirror (feed_id, archived) VALUES (?, ?) ON CONFLICT (feed_id) DO UPDATE SET archived = excluded.archived')
    .run(report.feed.id, Date.now());
}

/**
 * Feeds fetched since the mirror last archived them (by \`feedmirror fetch\`, which
 * does not archive) lose their validators, so that this cycle gets them in full.
 */
function refetchUnarchived(db: Database): void {
  db.prepare(`UPDATE feeds SET etag = NULL, last_modified = NULL
              WHERE (etag IS NOT NULL OR last_modified IS NOT NULL) AND last_success IS NOT NULL
                AND last_success > coalesce((SELECT archived FROM feed_mirror WHERE feed_id = feeds.id), 0)`).run();
}

/** Opens the store, adds the starter list on a first start, reconciles store and archive. */
async function open(config: Config, events: MirrorEvents, starter: boolean, fetcher: Fetcher): Promise<{ db: Database; mirror: Mirror; release: () => void }> {
  const db = openStore(config.dbPath);
  let release: (() => void) | undefined;
  try {
    release = lockDataDir(config.dataDir);
    if (starter && config.starter) {
      const n = seedStarter(db);
      if (n) events.log?.info({ feeds: n }, `first start: subscribed to the ${n} feeds of the starter list`);
    }
    const mirror = makeMirror(db, config, events.log, fetcher);
    const report = await mirror.reconcile();
    events.onReconcile?.(report);
    return { db, mirror, release };
  } catch (e) {
    release?.();
    db.close();
    throw e;
  }
}

export interface OnceOptions extends MirrorEvents {
  /** Only the feeds whose next check has come (default: every enabled feed, as a cron job wants). */
  due?: boolean;
  starter?: boolean;
  signal?: AbortSignal;
}

export interface OnceResult {
  summary: CycleSummary;
  result: CycleResult;
  reconcile?: ReconcileReport;
}

/** One cycle: reconcile, fetch, archive, lists, publish; then close. */
export async function runOnce(config: Config, opts: OnceOptions = {}): Promise<OnceResult> {
  let reconcile: ReconcileReport | undefined;
  const fetcher = makeFetcher(config);
  const { db, mirror, release } = await open(config, { ...opts, onReconcile: (r) => { reconcile = r; opts.onReconcile?.(r); } }, opts.starter ?? true, fetcher)
    .catch(async (e) => { await fetcher.close().catch(() => undefined); throw e; });
  try {
    refetchUnarchived(db);
    const results = new Map<number, IngestResult>();
    const summary = await runCycle(db, fetcher, {
      due: opts.due ?? false, minInterval: config.minInterval, maxInterval: config.maxInterval, concurrency: config.concurrency,
      signal: opts.signal, log: opts.log, onFeed: archiver(db, mirror, results),
      onProgress: (report) => {
        archived(db, report);
        opts.onFeed?.(report, results.get(report.feed.id));
      },
    });
    const result = await mirror.finishCycle({ git: config.git });
    opts.onCycle?.(summary, result);
    return { summary, result, reconcile };
  } finally {
    await mirror.idle();
    await fetcher.close();
    db.close();
    release();
  }
}

export interface MirrorHandle {
  readonly mirror: Mirror;
  readonly db: Database;
  /** Finishes the writes in flight, then closes everything. */
  stop(): Promise<void>;
  /** Settles when the loop has ended (after stop, or on a fatal error). */
  readonly done: Promise<void>;
}

export interface StartOptions extends MirrorEvents {
  starter?: boolean;
  /** Longest sleep between two looks at the schedule (default 60 s): subscriptions added meanwhile are noticed. */
  pollMs?: number;
}

/** Starts the scheduler loop: sleep until the next feed is due, fetch the due feeds, archive, publish. */
export async function startMirror(config: Config, opts: StartOptions = {}): Promise<MirrorHandle> {
  const fetcher = makeFetcher(config);
  const { db, mirror, release } = await open(config, opts, opts.starter ?? true, fetcher)
    .catch(async (e) => { await fetcher.close().catch(() => undefined); throw e; });
  const controller = new AbortController();
  const poll = opts.pollMs ?? 60_000;
  let wake: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> => new Promise((ok) => {
    const t = setTimeout(ok, ms);
    wake = () => {
      clearTimeout(t);
      ok();
    };
  });
  const nextDue = db.prepare(`SELECT min(f.next_check) FROM feeds f JOIN subscriptions s ON s.feed_id = f.id WHERE s.enabled = 1`).pluck();

  const loop = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      refetchUnarchived(db);
      const results = new Map<number, IngestResult>();
      const summary = await runCycle(db, fetcher, {
        due: true, minInterval: config.minInterval, maxInterval: config.maxInterval, concurrency: config.concurrency,
        signal: controller.signal, log: opts.log, onFeed: archiver(db, mirror, results),
        onProgress: (report) => {
        archived(db, report);
        opts.onFeed?.(report, results.get(report.feed.id));
      },
      });
      try {
        const result = await mirror.finishCycle({ git: config.git });
        if (summary.total || result.lists.length) opts.onCycle?.(summary, result);
      } catch (e) {
        // A list that cannot be written (disk full) is retried next cycle; the loop goes on.
        opts.log?.warn({}, `writing the lists failed (retried next cycle): ${(e as Error).message}`);
      }
      if (controller.signal.aborted) break;
      const next = nextDue.get() as number | null;
      const wait = next === null ? poll : Math.min(poll, Math.max(1000, next - Date.now()));
      await sleep(wait);
    }
  };
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await mirror.idle();
    await fetcher.close().catch(() => undefined);
    db.close();
    release();
  };
  const done = loop().finally(close);
  return {
    mirror,
    db,
    done,
    async stop() {
      controller.abort();
      wake?.();
      await done.catch(() => undefined);
    },
  };
}
