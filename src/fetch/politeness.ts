// Politeness: a global concurrency limit, and per host a concurrency limit and
// a minimum interval between request starts. Hosts take turns (round robin) so
// a host with thousands of queued feeds does not starve the others; waiting is
// timer-driven, never polling.

interface Waiter {
  grant: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface HostState {
  queue: Waiter[];
  head: number; // index of the first live waiter (avoids O(n) shift)
  active: number;
  nextStart: number;
}

export interface PolitenessOptions {
  concurrency: number;
  perHostConcurrency: number;
  perHostIntervalMs: number;
  now?: () => number;
}

export class Politeness {
  private readonly hosts = new Map<string, HostState>();
  /** Hosts with waiters, in turn order. */
  private readonly ring: string[] = [];
  private active = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly now: () => number;

  constructor(private readonly opts: PolitenessOptions) {
    this.now = opts.now ?? Date.now;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    let n = 0;
    for (const h of this.hosts.values()) n += h.queue.length - h.head;
    return n;
  }

  /** Resolves with a release function once `host` may be contacted. */
  acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let state = this.hosts.get(host);
      if (!state) {
        if (this.hosts.size > 1024) this.prune();
        state = { queue: [], head: 0, active: 0, nextStart: 0 };
        this.hosts.set(host, state);
      }
      const waiter: Waiter = { grant: resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const s = this.hosts.get(host);
          if (!s) return;
          const i = s.queue.indexOf(waiter, s.head);
          if (i >= 0) {
            s.queue.splice(i, 1);
            reject(signal.reason);
            this.cleanup(host, s);
            this.pump();
          }
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (state.queue.length === state.head) this.ring.push(host);
      state.queue.push(waiter);
      this.pump();
    });
  }

  /** Rejects every waiter (used on close). */
  drain(reason: unknown): void {
    for (const [host, s] of this.hosts) {
      const waiting = s.queue.slice(s.head);
      s.queue = [];
      s.head = 0;
      for (const w of waiting) {
        if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
        w.reject(reason);
      }
      this.cleanup(host, s);
    }
    this.ring.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Forgets idle hosts whose interval has passed, so the map stays small. */
  private prune(): void {
    const now = this.now();
    for (const [host, s] of this.hosts) {
      if (s.active === 0 && s.queue.length === s.head && s.nextStart <= now) this.hosts.delete(host);
    }
  }

  private cleanup(host: string, s: HostState): void {
    if (s.head > 64 && s.head * 2 > s.queue.length) {
      s.queue = s.queue.slice(s.head);
      s.head = 0;
    }
    if (s.queue.length === s.head) {
      const i = this.ring.indexOf(host);
      if (i >= 0) this.ring.splice(i, 1);
      if (s.active === 0 && s.nextStart <= this.now()) this.hosts.delete(host);
    }
  }

  private pump(): void {
    let soonest = Infinity;
    let progressed = true;
    // Each pass gives every eligible host at most one slot: round robin.
    while (progressed && this.active < this.opts.concurrency && this.ring.length) {
      progressed = false;
      soonest = Infinity;
      const now = this.now();
      for (let i = 0; i < this.ring.length && this.active < this.opts.concurrency; ) {
        const host = this.ring[i];
        const s = this.hosts.get(host)!;
        if (s.active >= this.opts.perHostConcurrency) { i++; continue; }
        if (s.nextStart > now) { soonest = Math.min(soonest, s.nextStart); i++; continue; }
        const w = s.queue[s.head];
        s.queue[s.head] = undefined as unknown as Waiter;
        s.head++;
        s.active++;
        this.active++;
        s.nextStart = now + this.opts.perHostIntervalMs;
        if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
        let released = false;
        w.grant(() => {
          if (released) return;
          released = true;
          s.active--;
          this.active--;
          if (s.queue.length === s.head) this.cleanup(host, s);
          this.pump();
        });
        progressed = true;
        if (s.queue.length === s.head) {
          this.ring.splice(i, 1);
          this.cleanup(host, s);
        } else {
          // Move to the back of the ring: the next host gets the next turn.
          this.ring.splice(i, 1);
          this.ring.push(host);
        }
      }
    }
    if (this.active < this.opts.concurrency && soonest < Infinity) this.arm(soonest);
  }

  private arm(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, at - this.now()));
  }
}
