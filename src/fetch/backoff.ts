import type { BackoffOptions } from './types.ts';

const MAX_RETRY_AFTER_MS = 7 * 24 * 3600_000;

/**
 * Delay before the next attempt after `consecutiveErrors` failures in a row:
 * base * 2^(n-1), spread by jitter so that feeds failing together do not retry
 * together, capped; never shorter than what the server asked for (Retry-After),
 * which is itself capped so that a hostile server cannot park a feed forever.
 */
export function backoffMs(consecutiveErrors: number, retryAfterMs?: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 5 * 60_000;
  const cap = opts.capMs ?? 24 * 3600_000;
  const jitter = Math.min(Math.max(opts.jitter ?? 0.2, 0), 1);
  const random = opts.random ?? Math.random;
  let delay = 0;
  if (Number.isFinite(consecutiveErrors) && consecutiveErrors > 0) {
    const exp = base * 2 ** Math.min(consecutiveErrors - 1, 40);
    delay = Math.min(exp, cap);
    delay = delay * (1 - jitter + 2 * jitter * random());
    delay = Math.min(delay, cap);
  }
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0) {
    delay = Math.max(delay, Math.min(retryAfterMs, Math.max(cap, 0)));
  }
  return Math.max(0, Math.round(delay));
}

/** Retry-After: delta-seconds or an HTTP date; undefined if unusable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.min(Math.max(0, t - now), MAX_RETRY_AFTER_MS);
}
