// When to look at a feed again: no sooner than it asks (HTTP caching headers,
// RSS ttl, sy:updatePeriod), about twice per interval at which it really
// publishes, never outside the configured bounds, spread by jitter so that
// feeds added together do not stay in lockstep, and never in its skipHours/skipDays.
import { backoffMs } from '../fetch/index.ts';
import type { Item } from '../parse/index.ts';

/** What a feed document said about its refresh rate. */
export interface Hints {
  /** RSS ttl, minutes. */
  ttl?: number;
  /** UTC hours 0-23 not to fetch in. */
  skipHours?: number[];
  /** English day names not to fetch on (UTC). */
  skipDays?: string[];
  updatePeriod?: string;
  updateFrequency?: number;
}

export interface NextCheckInput {
  now: number;
  minInterval: number;
  maxInterval: number;
  /** Response headers, lower-case names. */
  headers?: Record<string, string>;
  hints?: Hints;
  /** Observed mean interval between new items, ms. */
  changeInterval?: number;
  /** Set after a failed fetch: failures in a row, this one included. */
  errorCount?: number;
  retryAfterMs?: number;
  random?: () => number;
  /** Fraction of the interval, either way. Default 0.1. */
  jitter?: number;
}

export interface NextCheck {
  at: number;
  /** Which rule decided, for logs and tests. */
  reason: string;
}

/** Used when a feed says nothing and has no datable items yet. */
export const DEFAULT_INTERVAL = 3_600_000;

const PERIODS: Record<string, number> = {
  hourly: 3_600_000, daily: 86_400_000, weekly: 604_800_000, monthly: 2_592_000_000, yearly: 31_536_000_000,
};
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Freshness lifetime from Cache-Control max-age, else Expires minus Date; undefined when not cacheable or unsaid. */
export function cacheLifetime(headers: Record<string, string>, now: number): number | undefined {
  const cc = (headers['cache-control'] ?? '').toLowerCase();
  if (/\b(no-store|no-cache)\b/.test(cc)) return undefined;
  const maxAge = /(?:^|[,\s])max-age\s*=\s*"?(\d+)/.exec(cc);
  if (maxAge) return Number(maxAge[1]) * 1000;
  if (headers.expires !== undefined) {
    const expires = Date.parse(headers.expires);
    // An invalid Expires (often "0" or "-1") means already expired.
    if (Number.isNaN(expires)) return 0;
    const date = headers.date ? Date.parse(headers.date) : NaN;
    return Math.max(0, expires - (Number.isNaN(date) ? now : date));
  }
  return undefined;
}

/** The shortest refresh interval the feed document itself allows, ms. */
export function hintInterval(hints: Hints | undefined): { ms: number; reason: string } | undefined {
  if (!hints) return undefined;
  let best: { ms: number; reason: string } | undefined;
  const consider = (ms: number, reason: string): void => {
    if (Number.isFinite(ms) && ms > 0 && (!best || ms > best.ms)) best = { ms, reason };
  };
  if (hints.ttl !== undefined) consider(hints.ttl * 60_000, 'ttl');
  const period = PERIODS[(hints.updatePeriod ?? '').trim().toLowerCase()];
  if (period) {
    const freq = hints.updateFrequency && hints.updateFrequency > 0 ? hints.updateFrequency : 1;
    consider(period / freq, 'sy:updatePeriod');
  }
  return best;
}

/** Moves `at` forward out of the feed's skipHours and skipDays (UTC). */
export function applySkips(at: number, hints: Hints | undefined): number {
  const hours = new Set((hints?.skipHours ?? []).filter((h) => Number.isInteger(h) && h >= 0 && h <= 23));
  const days = new Set((hints?.skipDays ?? []).map((d) => DAYS.indexOf(d.trim().toLowerCase())).filter((d) => d >= 0));
  if (!hours.size && !days.size) return at;
  if (hours.size === 24 || days.size === 7) return at; // Nothing left to fetch in: the feed cannot mean it.
  let t = at;
  for (let i = 0; i < 24 * 8; i++) {
    const d = new Date(t);
    if (!hours.has(d.getUTCHours()) && !days.has(d.getUTCDay())) return t;
    t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
  }
  return at;
}

/** The publishing rhythm: mean gap between the newest dated items, stretched while the feed stays silent. */
export function changeInterval(items: Pick<Item, 'published' | 'updated'>[], now: number): number | undefined {
  const dates = items
    .map((i) => i.published ?? i.updated)
    .filter((d): d is number => typeof d === 'number' && Number.isFinite(d) && d > 0 && d <= now + 86_400_000)
    .sort((a, b) => b - a)
    .slice(0, 20);
  if (dates.length < 2) return undefined;
  const mean = (dates[0] - dates[dates.length - 1]) / (dates.length - 1);
  // A feed that stopped publishing long ago should not be polled at its old pace.
  const silence = (now - dates[0]) / 2;
  return Math.max(mean, silence, 60_000);
}

export function nextCheck(input: NextCheckInput): NextCheck {
  const { now, minInterval, maxInterval } = input;
  const random = input.random ?? Math.random;
  if (input.errorCount && input.errorCount > 0) {
    const delay = backoffMs(input.errorCount, undefined, { baseMs: minInterval, capMs: maxInterval, random });
    // The server's Retry-After wins over our own bounds: asking again sooner is rude and useless.
    const retry = input.retryAfterMs ?? 0;
    return retry > delay ? { at: now + retry, reason: 'retry-after' } : { at: now + delay, reason: 'backoff' };
  }
  let interval = DEFAULT_INTERVAL;
  let reason = 'default';
  if (input.changeInterval) {
    interval = input.changeInterval / 2;
    reason = 'observed';
  }
  const floor = [hintInterval(input.hints)];
  const cache = input.headers ? cacheLifetime(input.headers, now) : undefined;
  if (cache) floor.push({ ms: cache, reason: 'cache' });
  for (const f of floor) {
    if (f && f.ms > interval) {
      interval = f.ms;
      reason = f.reason;
    }
  }
  if (interval < minInterval) [interval, reason] = [minInterval, 'min'];
  if (interval > maxInterval) [interval, reason] = [maxInterval, 'max'];
  const jitter = input.jitter ?? 0.1;
  interval *= 1 + jitter * (2 * random() - 1);
  interval = Math.min(Math.max(interval, minInterval), maxInterval);
  const at = Math.round(now + interval);
  const skipped = applySkips(at, input.hints);
  return skipped === at ? { at, reason } : { at: skipped, reason: 'skip' };
}
