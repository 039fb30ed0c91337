import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Fetcher, backoffMs, parseRetryAfter } from '../../src/fetch/index.ts';
import { Politeness } from '../../src/fetch/politeness.ts';
import { serve, type Served } from './helpers.ts';

describe('fetch: politeness', () => {
  let s: Served;
  let active = 0;
  let peak = 0;
  const perHost = new Map<string, { active: number; peak: number; starts: number[] }>();
  const timers = new Set<NodeJS.Timeout>();

  before(async () => {
    s = await serve({
      '/slow': (req, res) => {
        const host = (req.headers.host ?? '').split(':')[0];
        const h = perHost.get(host) ?? { active: 0, peak: 0, starts: [] };
        perHost.set(host, h);
        h.starts.push(Date.now());
        h.active++;
        active++;
        h.peak = Math.max(h.peak, h.active);
        peak = Math.max(peak, active);
        const t = setTimeout(() => {
          timers.delete(t);
          h.active--;
          active--;
          res.end('ok');
        }, 120);
        timers.add(t);
      },
    });
  });
  after(async () => { for (const t of timers) clearTimeout(t); await s.close(); });

  const names = ['a.test', 'b.test', 'c.test', 'd.test', 'e.test', 'f.test'];
  const lookup = async () => [{ address: '127.0.0.1', family: 4 as const }];

  it('limits concurrency and spaces request starts per host (measured by the server)', async () => {
    perHost.clear();
    const f = new Fetcher({ allow: names, lookup, perHostConcurrency: 2, perHostIntervalMs: 100, concurrency: 32 });
    // Warm up two pooled connections so that connection setup does not blur arrival times.
    await Promise.all([f.fetch({ url: `http://a.test:${s.port}/slow` }), f.fetch({ url: `http://a.test:${s.port}/slow` })]);
    perHost.clear();
    const results = await Promise.all(Array.from({ length: 6 }, () => f.fetch({ url: `http://a.test:${s.port}/slow` })));
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.map((r) => r.error)));
    const a = perHost.get('a.test')!;
    assert.equal(a.starts.length, 6);
    assert.equal(a.peak, 2);
    const gaps = a.starts.slice(1).map((t, i) => t - a.starts[i]);
    assert.ok(Math.min(...gaps) >= 85, `gaps ${gaps}`);
    await f.close();
  });

  it('one busy host does not hold back the others; global concurrency is respected', async () => {
    perHost.clear();
    peak = 0;
    const f = new Fetcher({ allow: names, lookup, perHostConcurrency: 1, perHostIntervalMs: 0, concurrency: 3 });
    const t0 = Date.now();
    const busy = Array.from({ length: 4 }, () => f.fetch({ url: `http://a.test:${s.port}/slow` }));
    const others = names.slice(1).map((n) => f.fetch({ url: `http://${n}:${s.port}/slow` }));
    await Promise.all([...busy, ...others]);
    assert.equal(peak, 3, 'never more than 3 in flight');
    for (const n of names) assert.equal(perHost.get(n)!.peak, 1, n);
    // Round robin: b..f all start before a.test's last queued request.
    const lastA = Math.max(...perHost.get('a.test')!.starts);
    for (const n of names.slice(1)) assert.ok(perHost.get(n)!.starts[0] < lastA, n);
    assert.ok(Date.now() - t0 < 2000);
    await f.close();
  });

  it('schedules 5,000 waiters over 50 hosts fairly, within limits', async () => {
    // 50 hosts x 2 = 100 slots under a global limit of 128: the per-host limit binds.
    const p = new Politeness({ concurrency: 128, perHostConcurrency: 2, perHostIntervalMs: 0 });
    const active = new Map<string, number>();
    const order: string[] = [];
    let peakHost = 0;
    let peakAll = 0;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 5000 }, async (_, i) => {
      const host = `h${i % 50}`;
      const release = await p.acquire(host);
      order.push(host);
      active.set(host, (active.get(host) ?? 0) + 1);
      peakHost = Math.max(peakHost, active.get(host)!);
      peakAll = Math.max(peakAll, p.inFlight);
      await new Promise((r) => setImmediate(r));
      active.set(host, active.get(host)! - 1);
      release();
    }));
    assert.equal(order.length, 5000);
    assert.equal(peakHost, 2);
    assert.equal(peakAll, 100);
    assert.equal(p.queued, 0);
    assert.equal(new Set(order.slice(0, 50)).size, 50, 'the first grants go to distinct hosts');
    assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
  });

  it('waits for the interval with a timer, and an aborted waiter leaves the queue', async () => {
    const p = new Politeness({ concurrency: 4, perHostConcurrency: 4, perHostIntervalMs: 80 });
    const t0 = Date.now();
    const r1 = await p.acquire('x');
    const ctl = new AbortController();
    const pending = p.acquire('x', ctl.signal);
    assert.equal(p.queued, 1);
    ctl.abort(new Error('stop'));
    await assert.rejects(pending, /stop/);
    assert.equal(p.queued, 0);
    const r2 = await p.acquire('x');
    assert.ok(Date.now() - t0 >= 75, 'second start waited for the interval');
    r1();
    r2();
    r2(); // releasing twice is harmless
    assert.equal(p.inFlight, 0);
  });

  it('close() ends queued fetches as aborted', async () => {
    const f = new Fetcher({ allow: names, lookup, perHostConcurrency: 1, perHostIntervalMs: 10_000 });
    const first = f.fetch({ url: `http://b.test:${s.port}/slow` });
    const queued = f.fetch({ url: `http://b.test:${s.port}/slow` });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(f.stats.queued, 1);
    await f.close();
    const [a, b] = await Promise.all([first, queued]);
    assert.equal(b.error?.kind, 'aborted');
    assert.equal(a.error?.kind, 'aborted');
  });
});

describe('fetch: backoff', () => {
  const mid = () => 0.5;
  it('grows exponentially from the base, capped', () => {
    assert.equal(backoffMs(0, undefined, { random: mid }), 0);
    assert.equal(backoffMs(1, undefined, { baseMs: 1000, random: mid }), 1000);
    assert.equal(backoffMs(2, undefined, { baseMs: 1000, random: mid }), 2000);
    assert.equal(backoffMs(5, undefined, { baseMs: 1000, random: mid }), 16000);
    assert.equal(backoffMs(500, undefined, { baseMs: 1000, capMs: 60_000, random: mid }), 60_000);
    assert.equal(backoffMs(3, undefined, { random: mid }), 20 * 60_000);
  });
  it('spreads by jitter within the cap', () => {
    assert.equal(backoffMs(1, undefined, { baseMs: 1000, jitter: 0.2, random: () => 0 }), 800);
    assert.equal(backoffMs(1, undefined, { baseMs: 1000, jitter: 0.2, random: () => 0.999999 }), 1200);
    assert.equal(backoffMs(40, undefined, { baseMs: 1000, capMs: 5000, random: () => 0.999999 }), 5000);
  });
  it('honours Retry-After, within the cap', () => {
    assert.equal(backoffMs(1, 3_600_000, { baseMs: 1000, random: mid }), 3_600_000);
    assert.equal(backoffMs(0, 5000, { random: mid }), 5000);
    assert.equal(backoffMs(1, 10 * 86_400_000, { random: mid }), 86_400_000);
    assert.equal(backoffMs(1, -5, { baseMs: 1000, random: mid }), 1000);
  });
  it('parses Retry-After seconds and dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:02:00 GMT', now), 120_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('99999999999', now), 7 * 86_400_000);
  });
});
