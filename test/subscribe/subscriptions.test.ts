import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/index.ts';
import {
  addSubscription, removeSubscription, updateSubscription, listSubscriptions, findSubscriptions,
  resolveSubscription, normalizeUrl, parseHeader,
} from '../../src/subscribe/index.ts';

const feedRows = (db: ReturnType<typeof openStore>): number => db.prepare('SELECT count(*) FROM feeds').pluck().get() as number;

test('normalizeUrl', () => {
  assert.equal(normalizeUrl(' HTTPS://Example.COM:443/a/feed?x=1#top '), 'https://example.com/a/feed?x=1');
  assert.equal(normalizeUrl('feed://example.com/rss'), 'http://example.com/rss');
  assert.equal(normalizeUrl('feed:https://example.com/rss'), 'https://example.com/rss');
  assert.equal(normalizeUrl('example.com'), 'https://example.com/');
  assert.throws(() => normalizeUrl('file:///etc/passwd'), /unsupported URL scheme/);
  assert.throws(() => normalizeUrl('javascript:alert(1)'), /unsupported URL scheme/);
  assert.throws(() => normalizeUrl('http://'), /invalid URL/);
  assert.throws(() => normalizeUrl(''), /empty/);
});

test('subscriptions of the same URL and settings share one feed row', () => {
  const db = openStore(':memory:');
  const a = addSubscription(db, 'https://example.com/feed', { site: 'A' });
  const b = addSubscription(db, 'HTTPS://EXAMPLE.com/feed#x', { site: 'B', category: 'News' });
  assert.equal(a.feedId, b.feedId);
  assert.equal(feedRows(db), 1);
  // Other request settings may get another answer: another feed row.
  const c = addSubscription(db, 'https://example.com/feed', { site: 'C', headers: { Cookie: 'a=1' } });
  assert.notEqual(c.feedId, a.feedId);
  // Header order does not matter.
  const d = addSubscription(db, 'https://example.com/feed', { site: 'D', headers: { 'X-B': '2', 'X-A': '1' } });
  const e = addSubscription(db, 'https://example.com/feed', { site: 'E', headers: { 'X-A': '1', 'X-B': '2' } });
  assert.equal(d.feedId, e.feedId);
  assert.equal(feedRows(db), 3);
  db.close();
});

test('defaults and settings are stored', () => {
  const db = openStore(':memory:');
  const s = addSubscription(db, 'https://blog.example.org/rss', { proxy: 'socks5://127.0.0.1:1080', userAgent: 'Mozilla/5.0', minInterval: 30 * 60_000, maxInterval: 6 * 3_600_000, enabled: false });
  assert.equal(s.site, 'blog.example.org');
  assert.equal(s.proxy, 'socks5://127.0.0.1:1080');
  assert.equal(s.userAgent, 'Mozilla/5.0');
  assert.equal(s.minInterval, 30 * 60_000);
  assert.equal(s.maxInterval, 6 * 3_600_000);
  assert.equal(s.enabled, false);
  assert.equal(s.fulltext, 'auto');
  assert.equal(s.nextCheck, 0);
  db.close();
});

test('bad settings are refused with a reason', () => {
  const db = openStore(':memory:');
  assert.throws(() => addSubscription(db, 'https://a.example/', { proxy: 'ftp://x' }), /unsupported proxy scheme/);
  assert.throws(() => addSubscription(db, 'https://a.example/', { proxy: 'not a url' }), /invalid proxy URL/);
  assert.throws(() => addSubscription(db, 'https://a.example/', { headers: { 'X-A': 'v\r\nHost: evil' } }), /no line breaks/);
  assert.throws(() => addSubscription(db, 'https://a.example/', { headers: { 'Bad Name': 'v' } }), /invalid header name/);
  assert.throws(() => addSubscription(db, 'https://a.example/', { minInterval: 1000 }), /at least 1 minute/);
  assert.throws(() => addSubscription(db, 'https://a.example/', { minInterval: 7_200_000, maxInterval: 3_600_000 }), /larger/);
  assert.throws(() => addSubscription(db, 'https://a.example/', { fulltext: 'sometimes' }), /fulltext must be one of/);
  assert.throws(() => parseHeader('no colon'), /Name: value/);
  assert.deepEqual(parseHeader('Cookie: a=1; b=2'), ['Cookie', 'a=1; b=2']);
  assert.equal(feedRows(db), 0);
  db.close();
});

test('find by id, URL or site name; ambiguity is an error', () => {
  const db = openStore(':memory:');
  const a = addSubscription(db, 'https://a.example/feed', { site: 'Alpha' });
  addSubscription(db, 'https://b.example/feed', { site: 'Beta' });
  addSubscription(db, 'https://b2.example/feed', { site: 'Beta' });
  assert.equal(resolveSubscription(db, String(a.id)).site, 'Alpha');
  assert.equal(resolveSubscription(db, 'alpha').id, a.id);
  assert.equal(resolveSubscription(db, 'a.example/feed').id, a.id);
  assert.equal(findSubscriptions(db, 'Beta').length, 2);
  assert.throws(() => resolveSubscription(db, 'Beta'), /ambiguous/);
  assert.throws(() => resolveSubscription(db, 'Gamma'), /no subscription matches/);
  assert.throws(() => resolveSubscription(db, '999'), /no subscription matches/);
  db.close();
});

test('remove drops the feed row only with its last subscription', () => {
  const db = openStore(':memory:');
  const a = addSubscription(db, 'https://a.example/feed', { site: 'A' });
  const b = addSubscription(db, 'https://a.example/feed', { site: 'B' });
  assert.equal(removeSubscription(db, a.id), true);
  assert.equal(feedRows(db), 1);
  assert.equal(removeSubscription(db, b.id), true);
  assert.equal(feedRows(db), 0);
  assert.equal(removeSubscription(db, b.id), false);
  db.close();
});

test('edit: user settings in place; request settings move to the right feed row', () => {
  const db = openStore(':memory:');
  const a = addSubscription(db, 'https://a.example/feed', { site: 'A' });
  const b = addSubscription(db, 'https://a.example/feed', { site: 'B' });
  db.prepare("UPDATE feeds SET etag = 'v1', next_check = 5 WHERE id = ?").run(a.feedId);
  const renamed = updateSubscription(db, a.id, { site: 'Alpha', category: 'News', enabled: false, fulltext: 'always' });
  assert.deepEqual([renamed.site, renamed.category, renamed.enabled, renamed.fulltext, renamed.feedId], ['Alpha', 'News', false, 'always', a.feedId]);
  // Shared row: B moves to a new row for its new user agent; A keeps the state.
  const moved = updateSubscription(db, b.id, { userAgent: 'Other/1.0' });
  assert.notEqual(moved.feedId, a.feedId);
  assert.equal(db.prepare('SELECT etag FROM feeds WHERE id = ?').pluck().get(a.feedId), 'v1');
  // Sole subscriber: the row is updated in place and its validators dropped.
  const sole = updateSubscription(db, a.id, { url: 'https://a.example/new-feed' });
  assert.equal(sole.feedId, a.feedId);
  assert.equal(sole.url, 'https://a.example/new-feed');
  assert.equal(db.prepare('SELECT etag FROM feeds WHERE id = ?').pluck().get(a.feedId), null);
  // Back to the settings of another row: joins it, the empty row goes.
  const joined = updateSubscription(db, b.id, { userAgent: '', url: 'https://a.example/new-feed' });
  assert.equal(joined.feedId, a.feedId);
  assert.equal(feedRows(db), 1);
  assert.equal(listSubscriptions(db).length, 2);
  db.close();
});
