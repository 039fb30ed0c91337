// Subscriptions and the feed rows they share. A feed row is one fetch target
// (URL + request settings); subscriptions carry the user's view of it.
import type { Database } from '../store/index.ts';
import { normalizeUrl, looksLikeUrl } from './url.ts';

/** Request settings: subscriptions that agree on all of them share one fetch. */
export interface FetchSettings {
  /** '' = the global proxy; 'none' = direct. */
  proxy?: string;
  userAgent?: string;
  headers?: Record<string, string>;
}

export interface SubscriptionSettings extends FetchSettings {
  site?: string;
  category?: string | null;
  /** ms; null = the configured default. */
  minInterval?: number | null;
  maxInterval?: number | null;
  enabled?: boolean;
  fulltext?: string;
}

export interface Subscription {
  id: number;
  feedId: number;
  url: string;
  site: string;
  category?: string;
  proxy: string;
  userAgent: string;
  headers: Record<string, string>;
  minInterval?: number;
  maxInterval?: number;
  enabled: boolean;
  fulltext: string;
  created: number;
}

/** A subscription with its feed's fetch state, for list and status. */
export interface SubscriptionStatus extends Subscription {
  title?: string;
  siteUrl?: string;
  lastFetch?: number;
  lastSuccess?: number;
  lastStatus?: number;
  lastError?: string;
  lastErrorKind?: string;
  errorCount: number;
  nextCheck: number;
  itemCount?: number;
}

export const FULLTEXT_MODES = ['auto', 'always', 'never'] as const;

const SELECT = `
  SELECT s.id, s.feed_id, f.url, s.site, s.category, f.proxy, f.user_agent, f.headers,
         s.min_interval, s.max_interval, s.enabled, s.fulltext, s.created,
         f.title, f.site_url, f.last_fetch, f.last_success, f.last_status, f.last_error,
         f.last_error_kind, f.error_count, f.next_check, f.item_count
  FROM subscriptions s JOIN feeds f ON f.id = s.feed_id`;

interface Row {
  id: number; feed_id: number; url: string; site: string; category: string | null; proxy: string;
  user_agent: string; headers: string; min_interval: number | null; max_interval: number | null;
  enabled: number; fulltext: string; created: number; title: string | null; site_url: string | null;
  last_fetch: number | null; last_success: number | null; last_status: number | null;
  last_error: string | null; last_error_kind: string | null; error_count: number; next_check: number;
  item_count: number | null;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function fromRow(r: Row): SubscriptionStatus {
  return {
    id: r.id, feedId: r.feed_id, url: r.url, site: r.site, category: opt(r.category), proxy: r.proxy,
    userAgent: r.user_agent, headers: JSON.parse(r.headers) as Record<string, string>,
    minInterval: opt(r.min_interval), maxInterval: opt(r.max_interval), enabled: r.enabled === 1,
    fulltext: r.fulltext, created: r.created, title: opt(r.title), siteUrl: opt(r.site_url),
    lastFetch: opt(r.last_fetch), lastSuccess: opt(r.last_success), lastStatus: opt(r.last_status),
    lastError: opt(r.last_error), lastErrorKind: opt(r.last_error_kind), errorCount: r.error_count,
    nextCheck: r.next_check, itemCount: opt(r.item_count),
  };
}

/** Header name/value pairs checked so that they cannot smuggle extra lines into a request. */
export function checkHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw new Error(`invalid header name: ${JSON.stringify(k)}`);
    if (/[\r\n\0]/.test(v)) throw new Error(`invalid value for header ${k}: no line breaks allowed`);
    out[k] = v.trim();
  }
  return out;
}

/** "Name: value" as given on the command line. */
export function parseHeader(line: string): [string, string] {
  const i = line.indexOf(':');
  if (i <= 0) throw new Error(`header must look like "Name: value": ${line}`);
  const [[k, v]] = Object.entries(checkHeaders({ [line.slice(0, i).trim()]: line.slice(i + 1) }));
  return [k, v];
}

/** Sorted keys: equal settings must give equal text for the unique key. */
function headersKey(headers: Record<string, string> | undefined): string {
  const h = checkHeaders(headers ?? {});
  return JSON.stringify(Object.fromEntries(Object.keys(h).sort().map((k) => [k, h[k]])));
}

function checkSettings(s: SubscriptionSettings): void {
  for (const k of ['minInterval', 'maxInterval'] as const) {
    const v = s[k];
    if (v !== undefined && v !== null && (!Number.isFinite(v) || v < 60_000)) throw new Error(`${k} must be at least 1 minute`);
  }
  if (s.minInterval && s.maxInterval && s.minInterval > s.maxInterval) throw new Error('min interval is larger than max interval');
  if (s.fulltext !== undefined && !(FULLTEXT_MODES as readonly string[]).includes(s.fulltext)) {
    throw new Error(`fulltext must be one of ${FULLTEXT_MODES.join(', ')}`);
  }
  if (s.site !== undefined && !s.site.trim()) throw new Error('site name must not be empty');
  if (s.proxy && s.proxy !== 'none') {
    let u: URL;
    try {
      u = new URL(s.proxy);
    } catch {
      throw new Error(`invalid proxy URL: ${s.proxy}`);
    }
    if (!['http:', 'https:', 'socks5:', 'socks5h:'].includes(u.protocol)) throw new Error(`unsupported proxy scheme ${u.protocol}`);
  }
  if (s.userAgent && /[\r\n\0]/.test(s.userAgent)) throw new Error('user agent must not contain line breaks');
}

/** The feed row for this URL and these settings, created if new. */
function feedFor(db: Database, url: string, s: FetchSettings, now: number): number {
  const key = [url, s.proxy ?? '', s.userAgent ?? '', headersKey(s.headers)];
  const found = db.prepare('SELECT id FROM feeds WHERE url = ? AND proxy = ? AND user_agent = ? AND headers = ?').pluck().get(...key);
  if (found !== undefined) return found as number;
  return Number(db.prepare('INSERT INTO feeds (url, proxy, user_agent, headers, created) VALUES (?, ?, ?, ?, ?)').run(...key, now).lastInsertRowid);
}

/** Drops a feed row nobody subscribes to any more. */
function collect(db: Database, feedId: number): void {
  db.prepare('DELETE FROM feeds WHERE id = ? AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE feed_id = ?)').run(feedId, feedId);
}

export function getSubscription(db: Database, id: number): SubscriptionStatus | undefined {
  const row = db.prepare(`${SELECT} WHERE s.id = ?`).get(id) as Row | undefined;
  return row && fromRow(row);
}

export function addSubscription(db: Database, url: string, settings: SubscriptionSettings = {}, now = Date.now()): SubscriptionStatus {
  checkSettings(settings);
  const normalized = normalizeUrl(url);
  const site = settings.site?.trim() || new URL(normalized).hostname;
  const id = db.transaction(() => {
    const feedId = feedFor(db, normalized, settings, now);
    return Number(db.prepare(`
      INSERT INTO subscriptions (feed_id, site, category, min_interval, max_interval, enabled, fulltext, created)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
      feedId, site, settings.category?.trim() || null, settings.minInterval ?? null, settings.maxInterval ?? null,
      settings.enabled === false ? 0 : 1, settings.fulltext ?? 'auto', now,
    ).lastInsertRowid);
  }).immediate();
  return getSubscription(db, id)!;
}

export function listSubscriptions(db: Database): SubscriptionStatus[] {
  return (db.prepare(`${SELECT} ORDER BY lower(coalesce(s.category, '')), lower(s.site), s.id`).all() as Row[]).map(fromRow);
}

/** Subscriptions matching an id, a URL or a site name (case-insensitive). */
export function findSubscriptions(db: Database, ref: string): SubscriptionStatus[] {
  const r = ref.trim();
  if (/^\d+$/.test(r)) {
    const s = getSubscription(db, Number(r));
    return s ? [s] : [];
  }
  const bySite = (db.prepare(`${SELECT} WHERE s.site = ? COLLATE NOCASE ORDER BY s.id`).all(r) as Row[]).map(fromRow);
  if (bySite.length || !looksLikeUrl(r)) return bySite;
  let url: string;
  try {
    url = normalizeUrl(r);
  } catch {
    return [];
  }
  return (db.prepare(`${SELECT} WHERE f.url = ? ORDER BY s.id`).all(url) as Row[]).map(fromRow);
}

/** Exactly one subscription for `ref`, or an error that says why not. */
export function resolveSubscription(db: Database, ref: string): SubscriptionStatus {
  const found = findSubscriptions(db, ref);
  if (found.length === 0) throw new Error(`no subscription matches "${ref}"`);
  if (found.length > 1) {
    throw new Error(`"${ref}" is ambiguous: ${found.map((s) => `#${s.id} ${s.site} <${s.url}>`).join(', ')}; use the id`);
  }
  return found[0];
}

export function removeSubscription(db: Database, id: number): boolean {
  return db.transaction(() => {
    const feedId = db.prepare('SELECT feed_id FROM subscriptions WHERE id = ?').pluck().get(id) as number | undefined;
    if (feedId === undefined) return false;
    db.prepare('DELETE FROM subscriptions WHERE id = ?').run(id);
    collect(db, feedId);
    return true;
  }).immediate();
}

/**
 * Changes a subscription. When its request settings change it moves to the
 * feed row for the new settings; the fetch state stays with the old row unless
 * this was its only subscriber, in which case the row itself is updated.
 */
export function updateSubscription(db: Database, id: number, changes: SubscriptionSettings & { url?: string }, now = Date.now()): SubscriptionStatus {
  checkSettings(changes);
  db.transaction(() => {
    const cur = getSubscription(db, id);
    if (!cur) throw new Error(`no subscription #${id}`);
    const url = changes.url !== undefined ? normalizeUrl(changes.url) : cur.url;
    const fetch: FetchSettings = {
      proxy: changes.proxy ?? cur.proxy,
      userAgent: changes.userAgent ?? cur.userAgent,
      headers: changes.headers ?? cur.headers,
    };
    const key = [url, fetch.proxy ?? '', fetch.userAgent ?? '', headersKey(fetch.headers)];
    const same = key[0] === cur.url && key[1] === cur.proxy && key[2] === cur.userAgent && key[3] === headersKey(cur.headers);
    if (!same) {
      const existing = db.prepare('SELECT id FROM feeds WHERE url = ? AND proxy = ? AND user_agent = ? AND headers = ?').pluck().get(...key) as number | undefined;
      const sharers = db.prepare('SELECT count(*) FROM subscriptions WHERE feed_id = ?').pluck().get(cur.feedId) as number;
      if (existing === undefined && sharers === 1) {
        // A new URL invalidates the validators and the schedule; new headers may too.
        db.prepare(`UPDATE feeds SET url = ?, proxy = ?, user_agent = ?, headers = ?, etag = NULL, last_modified = NULL, next_check = 0
                    WHERE id = ?`).run(...key, cur.feedId);
      } else {
        const feedId = existing ?? feedFor(db, url, fetch, now);
        db.prepare('UPDATE subscriptions SET feed_id = ? WHERE id = ?').run(feedId, id);
        collect(db, cur.feedId);
      }
    }
    const set: string[] = [];
    const values: unknown[] = [];
    const put = (col: string, v: unknown): void => {
      set.push(`${col} = ?`);
      values.push(v);
    };
    if (changes.site !== undefined) put('site', changes.site.trim());
    if (changes.category !== undefined) put('category', changes.category?.trim() || null);
    if (changes.minInterval !== undefined) put('min_interval', changes.minInterval);
    if (changes.maxInterval !== undefined) put('max_interval', changes.maxInterval);
    if (changes.enabled !== undefined) put('enabled', changes.enabled ? 1 : 0);
    if (changes.fulltext !== undefined) put('fulltext', changes.fulltext);
    if (set.length) db.prepare(`UPDATE subscriptions SET ${set.join(', ')} WHERE id = ?`).run(...values, id);
  }).immediate();
  return getSubscription(db, id)!;
}
