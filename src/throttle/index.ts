// A brake on password guessing, per client address, for every login door (the
// web reader's password, the sync APIs' credentials). In memory: a restart
// forgets it, which costs a guesser no more than the wait.

export interface ThrottleOptions {
  /** Failures within the window that close the door. */
  limit: number;
  /** Counted from the first failure, ms (default 15 minutes). */
  window?: number;
  /** Addresses remembered at most; the oldest goes first (default 10,000). */
  keys?: number;
  now?: () => number;
}

export class Throttle {
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly limit: number;
  private readonly window: number;
  private readonly keys: number;
  private readonly now: () => number;

  constructor(opts: ThrottleOptions) {
    this.limit = opts.limit;
    this.window = opts.window ?? 15 * 60_000;
    this.keys = opts.keys ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Too many failures from this address lately. */
  throttled(key: string): boolean {
    const f = this.failures.get(key);
    if (!f) return false;
    if (this.now() - f.since > this.window) {
      this.failures.delete(key);
      return false;
    }
    return f.count >= this.limit;
  }

  failed(key: string): void {
    const f = this.failures.get(key) ?? { count: 0, since: this.now() };
    f.count++;
    this.failures.set(key, f);
    if (this.failures.size > this.keys) this.failures.delete(this.failures.keys().next().value as string);
  }

  /** Forgets an address's failures (after it got in). */
  clear(key: string): void {
    this.failures.delete(key);
  }
}
