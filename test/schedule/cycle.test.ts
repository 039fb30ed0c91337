import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fetcher } from '../../src/fetch/index.ts';
import { openStore } from '../../src/store/index.ts';
import { addSubscription, getSubscription, listSubscriptions } from '../../src/subscribe/index.ts';
import { runCycle, dueFeeds, type ParsedFeed } from '../../src/schedule/index.ts';
import { serve, rss } from './serve.ts';

const fetcher = new Fetcher({ allow: ['127.0.0.1'], perHostIntervalMs: 0 });
after(() => fetcher.close());
const H = 3_600_000;

function tempDb(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fm-cycle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'feedmirror.db');
}

test('duplicate subscriptions cost one fetch; parsed feeds reach the callback', async (t) => {
  const now = Date.now();
  const items = [0, 1, 2, 3].map((i) => ({ title: `post ${i}`, date: new Date(now - i * 4 * H) }));
  const s = await serve((req, res) => {
    res.setHeader('content-type', 'application/rss+xml');
    res.setHeader('etag', '"v1"');
    res.end(rss('Shared', items, '<ttl>60</ttl>'));
  });
  t.after(() => s.close());
  const db = openStore(':memory:');
  const a = addSubscription(db, `${s.url}/feed`, { site: 'one' });
  addSubscription(db, `${s.url}/feed`, { site: 'two', category: 'x' });
  addSubscription(db, `${s.url}/other`, { site: 'three' });
  addSubscription(db, `${s.url}/off`, { site: 'off', enabled: false });
  const seen: ParsedFeed[] = [];
  const summary = await runCycle(db, fetcher, { onFeed: (p) => void seen.push(p), random: () => 0.5 });
  assert.equal(summary.total, 2);
  assert.equal(summary.updated, 2);
  assert.equal(summary.items, 8);
  assert.deepEqual(s.hits.sort(), ['/feed', '/other']);
  assert.deepEqual(seen.map((p) => p.parsed.title?.value), ['Shared', 'Shared']);
  const sub = getSubscription(db, a.id)!;
  assert.equal(sub.itemCount, 4);
  assert.equal(sub.lastStatus, 200);
  assert.equal(sub.title, 'Shared');
  assert.equal(sub.errorCount, 0);
  // Items 4 h apart: checked again in about 2 h.
  assert.ok(Math.abs(sub.nextCheck - (sub.lastFetch! + 2 * H)) < 1000, `next check ${sub.nextCheck - sub.lastFetch!}`);
  const row = db.prepare('SELECT etag, hints, change_interval FROM feeds WHERE id = ?').get(a.feedId);
  assert.deepEqual(row, { etag: '"v1"', hints: '{"ttl":60}', change_interval: 4 * H });
  // Nothing is due any more.
  assert.equal(dueFeeds(db).length, 0);
  assert.equal((await runCycle(db, fetcher)).total, 0);
  db.close();
});

test('state survives a reopen; validators come back as a 304 that costs no parse', async (t) => {
  const path = tempDb(t);
  const s = await serve((req, res) => {
    if (req.headers['if-none-match'] === '"v1"') {
      res.statusCode = 304;
      res.setHeader('cache-control', 'max-age=10800');
      return res.end();
    }
    res.setHeader('etag', '"v1"');
    res.setHeader('last-modified', 'Mon, 05 Jan 2026 10:00:00 GMT');
    res.end(rss('Stable', [{ title: 'a' }]));
  });
  t.after(() => s.close());
  let db = openStore(path);
  const sub = addSubscription(db, `${s.url}/feed`);
  await runCycle(db, fetcher);
  db.close();

  db = openStore(path);
  const state = getSubscription(db, sub.id)!;
  assert.equal(state.lastStatus, 200);
  assert.equal(state.itemCount, 1);
  assert.equal(db.prepare('SELECT last_modified FROM feeds').pluck().get(), 'Mon, 05 Jan 2026 10:00:00 GMT');
  let parsed = 0;
  const summary = await runCycle(db, fetcher, { due: false, onFeed: () => void parsed++, random: () => 0.5 });
  assert.equal(summary.notModified, 1);
  assert.equal(parsed, 0);
  assert.equal(s.requests[1].headers['if-none-match'], '"v1"');
  assert.equal(s.requests[1].headers['if-modified-since'], 'Mon, 05 Jan 2026 10:00:00 GMT');
  const after304 = getSubscription(db, sub.id)!;
  assert.equal(after304.lastStatus, 304);
  assert.equal(after304.itemCount, 1);
  assert.ok(Math.abs(after304.nextCheck - (after304.lastFetch! + 3 * H)) < 1000);
  db.close();
});

test('errors back off and count up; Retry-After is honoured; success resets', async (t) => {
  let mode = 'busy';
  const s = await serve((req, res) => {
    if (mode === 'busy') {
      res.statusCode = 503;
      res.setHeader('retry-after', '7200');
      return res.end('busy');
    }
    if (mode === 'broken') return res.end('<html><body>not a feed</body></html>');
    res.end(rss('Back', []));
  });
  t.after(() => s.close());
  const db = openStore(':memory:');
  const sub = addSubscription(db, `${s.url}/feed`);
  const summary = await runCycle(db, fetcher, { random: () => 0.5 });
  assert.equal(summary.errors, 1);
  let st = getSubscription(db, sub.id)!;
  assert.deepEqual([st.lastStatus, st.errorCount, st.lastErrorKind], [503, 1, 'http']);
  assert.ok(Math.abs(st.nextCheck - (st.lastFetch! + 2 * H)) < 1000);

  mode = 'broken';
  await runCycle(db, fetcher, { due: false, random: () => 0.5 });
  st = getSubscription(db, sub.id)!;
  assert.deepEqual([st.errorCount, st.lastErrorKind], [2, 'parse']);
  assert.match(st.lastError!, /not a feed/);
  // Second failure: twice the 15 min base.
  assert.ok(Math.abs(st.nextCheck - (st.lastFetch! + 30 * 60_000)) < 1000);

  mode = 'ok';
  await runCycle(db, fetcher, { due: false });
  st = getSubscription(db, sub.id)!;
  assert.deepEqual([st.errorCount, st.lastError, st.lastStatus], [0, undefined, 200]);
  db.close();
});

test('a failing archive callback counts as an error and keeps the old validators', async (t) => {
  const s = await serve((req, res) => {
    res.setHeader('etag', '"new"');
    res.end(rss('X', [{ title: 'a' }]));
  });
  t.after(() => s.close());
  const db = openStore(':memory:');
  const sub = addSubscription(db, `${s.url}/feed`);
  const summary = await runCycle(db, fetcher, { onFeed: () => { throw new Error('disk full'); } });
  assert.equal(summary.errors, 1);
  const st = getSubscription(db, sub.id)!;
  assert.deepEqual([st.lastErrorKind, st.lastError], ['archive', 'disk full']);
  assert.equal(db.prepare('SELECT etag FROM feeds').pluck().get(), null);
  db.close();
});

test('a permanent redirect updates the stored URL and says so; a temporary one does not', async (t) => {
  const s = await serve((req, res) => {
    if (req.url === '/old') {
      res.statusCode = 301;
      res.setHeader('location', '/new');
      return res.end();
    }
    if (req.url === '/temp') {
      res.statusCode = 302;
      res.setHeader('location', '/new');
      return res.end();
    }
    res.end(rss('Moved', []));
  });
  t.after(() => s.close());
  const db = openStore(':memory:');
  const moved = addSubscription(db, `${s.url}/old`);
  const temp = addSubscription(db, `${s.url}/temp`);
  const lines: { obj: object; msg: string }[] = [];
  const log = { info: (obj: object, msg: string) => void lines.push({ obj, msg }), warn: () => {} };
  const summary = await runCycle(db, fetcher, { log });
  assert.equal(summary.redirected, 1);
  assert.equal(getSubscription(db, moved.id)!.url, `${s.url}/new`);
  assert.equal(getSubscription(db, temp.id)!.url, `${s.url}/temp`);
  const line = lines.find((l) => l.msg.startsWith('permanent redirect'));
  assert.deepEqual(line?.obj, { feed: moved.feedId, from: `${s.url}/old`, to: `${s.url}/new`, mergedInto: undefined });
  db.close();
});

test('a redirect onto an already subscribed URL merges the two feeds', async (t) => {
  const s = await serve((req, res) => {
    if (req.url === '/old') {
      res.statusCode = 308;
      res.setHeader('location', '/new');
      return res.end();
    }
    res.end(rss('Same', []));
  });
  t.after(() => s.close());
  const db = openStore(':memory:');
  const old = addSubscription(db, `${s.url}/old`, { site: 'old' });
  const cur = addSubscription(db, `${s.url}/new`, { site: 'new' });
  await runCycle(db, fetcher);
  const subs = listSubscriptions(db);
  assert.equal(subs.length, 2);
  assert.ok(subs.every((x) => x.feedId === cur.feedId));
  assert.equal(db.prepare('SELECT count(*) FROM feeds WHERE id = ?').pluck().get(old.feedId), 0);
  db.close();
});

test('per-subscription bounds: the tightest subscription of a shared feed wins', async (t) => {
  const s = await serve((req, res) => res.end(rss('Bounds', [], '<ttl>1440</ttl>')));
  t.after(() => s.close());
  const db = openStore(':memory:');
  const a = addSubscription(db, `${s.url}/feed`, { maxInterval: 2 * H });
  addSubscription(db, `${s.url}/feed`, { maxInterval: 6 * H });
  await runCycle(db, fetcher, { random: () => 0.5 });
  const st = getSubscription(db, a.id)!;
  assert.ok(Math.abs(st.nextCheck - (st.lastFetch! + 2 * H)) < 1000);
  db.close();
});

test('a store failure is reported for that feed and the cycle goes on', async (t) => {
  const s = await serve((req, res) => res.end(rss('Y', [])));
  t.after(() => s.close());
  const db = openStore(':memory:');
  addSubscription(db, `${s.url}/a`);
  addSubscription(db, `${s.url}/b`);
  const kinds: string[] = [];
  // The first parsed feed makes the database refuse writes from then on.
  const summary = await runCycle(db, fetcher, {
    concurrency: 1,
    onFeed: () => void db.pragma('query_only = ON'),
    onProgress: (r) => kinds.push(r.error?.kind ?? r.outcome),
  });
  assert.deepEqual([summary.total, summary.errors], [2, 2]);
  assert.deepEqual(kinds, ['store', 'store']);
  db.close();
});
