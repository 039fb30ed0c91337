// The fetch cycle: every due feed fetched once (however many subscriptions
// share it), parsed unless unchanged, its state and next check stored.
import type { Database } from '../store/index.ts';
import type { Fetcher, FetchResult } from '../fetch/index.ts';
import { parseFeed, type Feed } from '../parse/index.ts';
import { normalizeUrl } from '../subscribe/index.ts';
import { nextCheck, changeInterval, type Hints } from './next.ts';

/** A feed row with the effective bounds of its subscriptions. */
export interface DueFeed {
  id: number;
  url: string;
  proxy: string;
  userAgent: string;
  headers: Record<string, string>;
  etag?: string;
  lastModified?: string;
  errorCount: number;
  hints?: Hints;
  changeInterval?: number;
  minInterval: number;
  maxInterval: number;
}

export type Outcome = 'updated' | 'not-modified' | 'error';

export interface FeedReport {
  feed: DueFeed;
  outcome: Outcome;
  status?: number;
  /** Time from the start of this feed's fetch to its state being stored, ms. */
  ms: number;
  /** The same without waiting for a turn in the fetcher's queues: request, parse and store, ms. */
  workMs: number;
  items?: number;
  error?: { kind: string; message: string };
  next: number;
  /** The new URL when the feed answered with a permanent redirect. */
  movedTo?: string;
}

export interface ParsedFeed {
  feed: DueFeed;
  parsed: Feed;
  result: FetchResult;
}

/** The subset of a pino logger the cycle writes to. */
export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CycleOptions {
  /** Only feeds whose next check has come (the default); false: every enabled feed. */
  due?: boolean;
  /** Only these feeds (ids of feed rows), due or not, enabled or not. */
  feedIds?: number[];
  /** Defaults for subscriptions without their own bounds, ms. */
  minInterval?: number;
  maxInterval?: number;
  /** Feeds in progress at once; the fetcher still enforces its own global and per-host limits. */
  concurrency?: number;
  /** Called for every successfully parsed feed before its state is stored; a throw counts as a failed fetch. */
  onFeed?: (feed: ParsedFeed) => void | Promise<void>;
  onProgress?: (report: FeedReport, done: number, total: number) => void;
  log?: Log;
  signal?: AbortSignal;
  now?: () => number;
  random?: () => number;
}

export interface CycleSummary {
  total: number;
  updated: number;
  notModified: number;
  errors: number;
  redirected: number;
  /** Items in all parsed feeds. */
  items: number;
  elapsedMs: number;
}

interface Row {
  id: number; url: string; proxy: string; user_agent: string; headers: string; etag: string | null;
  last_modified: string | null; error_count: number; hints: string | null; change_interval: number | null;
  min_i: number; max_i: number;
}

/** Feeds to fetch now, with the tightest bounds any of their subscriptions asks for. */
export function dueFeeds(db: Database, options: CycleOptions = {}): DueFeed[] {
  const now = (options.now ?? Date.now)();
  const min = options.minInterval ?? 15 * 60_000;
  const max = options.maxInterval ?? 24 * 3_600_000;
  const where: string[] = [];
  const params: unknown[] = [min, max];
  if (options.feedIds) {
    where.push(`f.id IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(options.feedIds));
  } else {
    where.push('s.enabled = 1');
    if (options.due !== false) {
      where.push('f.next_check <= ?');
      params.push(now);
    }
  }
  const rows = db.prepare(`
    SELECT f.id, f.url, f.proxy, f.user_agent, f.headers, f.etag, f.last_modified, f.error_count,
           f.hints, f.change_interval,
           min(coalesce(s.min_interval, ?)) AS min_i, min(coalesce(s.max_interval, ?)) AS max_i
    FROM feeds f JOIN subscriptions s ON s.feed_id = f.id
    WHERE ${where.join(' AND ')}
    GROUP BY f.id ORDER BY f.next_check, f.id`).all(...params) as Row[];
  return rows.map((r) => ({
    id: r.id, url: r.url, proxy: r.proxy, userAgent: r.user_agent,
    headers: JSON.parse(r.headers) as Record<string, string>,
    etag: r.etag ?? undefined, lastModified: r.last_modified ?? undefined, errorCount: r.error_count,
    hints: r.hints ? (JSON.parse(r.hints) as Hints) : undefined, changeInterval: r.change_interval ?? undefined,
    minInterval: Math.min(r.min_i, r.max_i), maxInterval: r.max_i,
  }));
}

/** Round-robin over hosts, so that a slow host does not hold every worker. */
function interleave(feeds: DueFeed[]): DueFeed[] {
  const byHost = new Map<string, DueFeed[]>();
  for (const f of feeds) {
    let host = '';
    try {
      host = new URL(f.url).host;
    } catch {
      // Kept under '' and reported as an error by the fetcher.
    }
    const list = byHost.get(host) ?? [];
    if (!list.length) byHost.set(host, list);
    list.push(f);
  }
  const queues = [...byHost.values()];
  const out: DueFeed[] = [];
  for (let i = 0; out.length < feeds.length; i++) {
    for (const q of queues) if (i < q.length) out.push(q[i]);
  }
  return out;
}

function hintsOf(feed: Feed): Hints | undefined {
  const h: Hints = {};
  if (feed.ttl !== undefined) h.ttl = feed.ttl;
  if (feed.skipHours.length) h.skipHours = feed.skipHours;
  if (feed.skipDays.length) h.skipDays = feed.skipDays;
  if (feed.updatePeriod) h.updatePeriod = feed.updatePeriod;
  if (feed.updateFrequency !== undefined) h.updateFrequency = feed.updateFrequency;
  return Object.keys(h).length ? h : undefined;
}

class ParseError extends Error {}

/** Points a feed row at its new URL; merges it into an existing row for that URL. */
function move(db: Database, feed: DueFeed, to: string): number {
  return db.transaction(() => {
    const other = db.prepare(`SELECT o.id FROM feeds o JOIN feeds f ON f.id = ?
                              WHERE o.url = ? AND o.proxy = f.proxy AND o.user_agent = f.user_agent AND o.headers = f.headers AND o.id != f.id`)
      .pluck().get(feed.id, to) as number | undefined;
    if (other === undefined) {
      db.prepare('UPDATE feeds SET url = ? WHERE id = ?').run(to, feed.id);
      return feed.id;
    }
    db.prepare('UPDATE subscriptions SET feed_id = ? WHERE feed_id = ?').run(other, feed.id);
    try {
      db.prepare('DELETE FROM feeds WHERE id = ?').run(feed.id);
    } catch {
      // Rows of later tables still point at it; it stays, unsubscribed and never fetched.
    }
    return other;
  })();
}

export async function checkFeed(db: Database, fetcher: Pick<Fetcher, 'fetch'>, feed: DueFeed, options: CycleOptions = {}): Promise<FeedReport> {
  const clock = options.now ?? Date.now;
  const started = clock();
  const result = await fetcher.fetch({
    url: feed.url,
    etag: feed.etag,
    lastModified: feed.lastModified,
    proxy: feed.proxy === 'none' ? null : feed.proxy || undefined,
    userAgent: feed.userAgent || undefined,
    headers: Object.keys(feed.headers).length ? feed.headers : undefined,
    signal: options.signal,
  });
  const now = clock();
  const fetched = now;
  const base = { now, minInterval: feed.minInterval, maxInterval: feed.maxInterval, random: options.random };
  let report: FeedReport;
  let error: { kind: string; message: string } | undefined = result.error;
  let parsed: Feed | undefined;
  if (result.ok && !result.notModified) {
    try {
      if (!result.body) throw new ParseError('empty response');
      // Relative URLs in item HTML are resolved later against each item's own link (the cleaner's job).
      parsed = parseFeed(result.body, {
        url: result.url,
        contentType: result.contentType,
        contentLanguage: result.headers['content-language'],
        contentLocation: result.headers['content-location'],
        resolveHtml: false,
      });
      if (parsed.format === 'unknown') throw new ParseError(`not a feed${parsed.bozoReason ? `: ${parsed.bozoReason}` : ''}`);
      await options.onFeed?.({ feed, parsed, result });
    } catch (err) {
      const kind = err instanceof ParseError || !parsed ? 'parse' : 'archive';
      error = { kind, message: (err as Error).message };
      parsed = undefined;
    }
  } else if (!result.ok && !error) {
    error = { kind: 'http', message: `HTTP ${result.status ?? '?'}` };
  }

  if (error) {
    const errorCount = feed.errorCount + 1;
    const next = nextCheck({ ...base, errorCount, retryAfterMs: result.retryAfterMs }).at;
    db.prepare(`UPDATE feeds SET last_fetch = ?, last_status = ?, last_error = ?, last_error_kind = ?,
                error_count = ?, next_check = ? WHERE id = ?`)
      .run(now, result.status ?? null, error.message.slice(0, 1000), error.kind, errorCount, next, feed.id);
    report = { feed, outcome: 'error', status: result.status, ms: 0, workMs: 0, error, next };
  } else if (parsed) {
    const hints = hintsOf(parsed);
    const rhythm = changeInterval(parsed.items, now) ?? feed.changeInterval;
    const newest = parsed.items.reduce((m, i) => Math.max(m, i.published ?? i.updated ?? 0), 0) || null;
    const next = nextCheck({ ...base, headers: result.headers, hints, changeInterval: rhythm }).at;
    db.prepare(`UPDATE feeds SET etag = ?, last_modified = ?, title = coalesce(?, title), site_url = coalesce(?, site_url),
                last_fetch = ?, last_success = ?, last_status = ?, last_error = NULL, last_error_kind = NULL, error_count = 0,
                next_check = ?, item_count = ?, hints = ?, change_interval = ?, newest_item = coalesce(?, newest_item)
                WHERE id = ?`)
      .run(result.etag ?? null, result.lastModified ?? null, parsed.title?.value.replace(/\s+/g, ' ').trim().slice(0, 500) || null,
        parsed.link ?? null, now, now, result.status ?? 200, next, parsed.items.length, hints ? JSON.stringify(hints) : null,
        rhythm === undefined ? null : Math.round(rhythm), newest, feed.id);
    report = { feed, outcome: 'updated', status: result.status, ms: 0, workMs: 0, items: parsed.items.length, next };
  } else {
    // 304: the stored hints and rhythm still hold; new validators may come with it.
    const next = nextCheck({ ...base, headers: result.headers, hints: feed.hints, changeInterval: feed.changeInterval }).at;
    db.prepare(`UPDATE feeds SET etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), last_fetch = ?,
                last_success = ?, last_status = ?, last_error = NULL, last_error_kind = NULL, error_count = 0, next_check = ?
                WHERE id = ?`)
      .run(result.etag ?? null, result.lastModified ?? null, now, now, result.status ?? 304, next, feed.id);
    report = { feed, outcome: 'not-modified', status: result.status, ms: 0, workMs: 0, next };
  }

  if (result.permanentRedirect) {
    let to: string | undefined;
    try {
      to = normalizeUrl(result.permanentRedirect);
    } catch {
      // The fetcher followed it, so it is http(s); anything else is left alone.
    }
    if (to && to !== feed.url) {
      const id = move(db, feed, to);
      report.movedTo = to;
      options.log?.info({ feed: feed.id, from: feed.url, to, mergedInto: id === feed.id ? undefined : id }, 'permanent redirect: feed URL updated');
    }
  }
  const end = clock();
  report.ms = end - started;
  report.workMs = result.elapsedMs + (end - fetched);
  return report;
}

/** Fetches the due (or chosen) feeds; resolves when all are done, never throws for one feed's failure. */
export async function runCycle(db: Database, fetcher: Pick<Fetcher, 'fetch'>, options: CycleOptions = {}): Promise<CycleSummary> {
  const clock = options.now ?? Date.now;
  const started = clock();
  const feeds = interleave(dueFeeds(db, options));
  const summary: CycleSummary = { total: feeds.length, updated: 0, notModified: 0, errors: 0, redirected: 0, items: 0, elapsedMs: 0 };
  let index = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (index < feeds.length && !options.signal?.aborted) {
      const feed = feeds[index++];
      let report: FeedReport;
      try {
        report = await checkFeed(db, fetcher, feed, options);
      } catch (err) {
        // The store failed (disk full, locked too long): report it and go on with the others.
        report = { feed, outcome: 'error', ms: 0, workMs: 0, error: { kind: 'store', message: (err as Error).message }, next: 0 };
      }
      done++;
      if (report.outcome === 'updated') summary.updated++;
      else if (report.outcome === 'not-modified') summary.notModified++;
      else summary.errors++;
      if (report.movedTo) summary.redirected++;
      summary.items += report.items ?? 0;
      const line = { feed: feed.id, url: feed.url, status: report.status, ms: report.ms, items: report.items, next: report.next ? new Date(report.next).toISOString() : undefined };
      if (report.error) options.log?.warn({ ...line, kind: report.error.kind }, report.error.message);
      else options.log?.info(line, report.outcome);
      options.onProgress?.(report, done, feeds.length);
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 64, feeds.length));
  await Promise.all(Array.from({ length: n }, worker));
  summary.elapsedMs = clock() - started;
  return summary;
}
