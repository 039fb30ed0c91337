// The feed key: one secret per installation that opens the republished feeds
// of a private server to feed reader apps, which have no session cookie
// (/feeds/all.rss?key=<key>, as Miniflux and FreshRSS do with a token in the URL).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../store/index.ts';
import { categories, savedSearches, sites } from './feeds.ts';

const NAME = 'feeds';
/** 24 random bytes: 192 bits, 32 URL-safe characters. */
const KEY_BYTES = 24;
const KEY = /^[A-Za-z0-9_-]{32}$/;

/** The query parameter that carries the key. */
export const KEY_PARAM = 'key';

/** The current key, or undefined when none was made yet. */
export function currentFeedKey(db: Database): string | undefined {
  return db.prepare('SELECT key FROM feed_keys WHERE name = ?').pluck().get(NAME) as string | undefined;
}

/** The current key, made on first need. */
export function feedKey(db: Database, now = Date.now()): string {
  const existing = currentFeedKey(db);
  if (existing) return existing;
  // OR IGNORE: another process (the CLI, a second server) may have made one first; theirs wins.
  db.prepare('INSERT OR IGNORE INTO feed_keys (name, key, created) VALUES (?, ?, ?)').run(NAME, randomBytes(KEY_BYTES).toString('base64url'), now);
  return currentFeedKey(db) as string;
}

/** A new key; URLs with the old one stop working at once. */
export function replaceFeedKey(db: Database, now = Date.now()): string {
  const key = randomBytes(KEY_BYTES).toString('base64url');
  db.prepare('INSERT INTO feed_keys (name, key, created) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET key = excluded.key, created = excluded.created')
    .run(NAME, key, now);
  return key;
}

/** Whether `given` is the key, compared in constant time (no key made yet: nothing matches). */
export function isFeedKey(given: unknown, key: string | undefined): boolean {
  if (typeof given !== 'string' || !key || !KEY.test(given)) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A URL with the key added (`url` holds no query of its own). */
export function withKey(url: string, key: string): string {
  return `${url}?${KEY_PARAM}=${encodeURIComponent(key)}`;
}

/** The URL (path and query, as logged) with any key replaced by "REDACTED". */
export function redactKey(url: string): string {
  return url.replace(/([?&]key=)[^&#]*/gi, '$1REDACTED');
}

export interface FeedLink {
  /** "all", "site", "category" or "search". */
  kind: string;
  /** The site, category or saved search ('' for all). */
  name: string;
  /** Absolute URLs by format. */
  rss: string;
  atom: string;
  json: string;
}

/**
 * The republished feeds' URLs under `base` (everything, each site, each category,
 * each saved search), with `key` when given: what the settings page and the CLI show.
 */
export function feedLinks(db: Database, base: string, key?: string): FeedLink[] {
  const root = base.replace(/\/+$/, '');
  const link = (kind: string, name: string): FeedLink => {
    const path = kind === 'all' ? `${root}/feeds/all` : `${root}/feeds/${kind}/${encodeURIComponent(name)}`;
    const url = (ext: string): string => (key ? withKey(`${path}.${ext}`, key) : `${path}.${ext}`);
    return { kind, name, rss: url('rss'), atom: url('atom'), json: url('json') };
  };
  return [
    link('all', ''),
    ...sites(db).map((s) => link('site', s)),
    ...categories(db).map((c) => link('category', c)),
    ...savedSearches(db).map((s) => link('search', s.name)),
  ];
}
