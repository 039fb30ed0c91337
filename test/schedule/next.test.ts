import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextCheck, cacheLifetime, hintInterval, applySkips, changeInterval, DEFAULT_INTERVAL } from '../../src/schedule/index.ts';

const now = Date.UTC(2026, 0, 5, 10, 0, 0); // a Monday, 10:00 UTC
const min = 15 * 60_000;
const max = 24 * 3_600_000;
const H = 3_600_000;
const base = { now, minInterval: min, maxInterval: max, random: () => 0.5 }; // 0.5 = no jitter

test('nothing known: the default interval', () => {
  assert.deepEqual(nextCheck(base), { at: now + DEFAULT_INTERVAL, reason: 'default' });
});

test('Cache-Control max-age sets a floor', () => {
  assert.deepEqual(nextCheck({ ...base, headers: { 'cache-control': 'public, max-age=7200' } }), { at: now + 2 * H, reason: 'cache' });
  assert.equal(cacheLifetime({ 'cache-control': 'max-age=60' }, now), 60_000);
  assert.equal(cacheLifetime({ 'cache-control': 'no-cache, max-age=600' }, now), undefined);
  // max-age wins over Expires.
  assert.equal(cacheLifetime({ 'cache-control': 'max-age=60', expires: new Date(now + 9 * H).toUTCString() }, now), 60_000);
});

test('Expires counts from the Date header', () => {
  const headers = { date: new Date(now - 60_000).toUTCString(), expires: new Date(now + 3 * H - 60_000).toUTCString() };
  assert.equal(cacheLifetime(headers, now), 3 * H);
  assert.deepEqual(nextCheck({ ...base, headers }), { at: now + 3 * H, reason: 'cache' });
  assert.equal(cacheLifetime({ expires: '0' }, now), 0);
});

test('RSS ttl sets a floor', () => {
  assert.deepEqual(nextCheck({ ...base, hints: { ttl: 180 } }), { at: now + 3 * H, reason: 'ttl' });
  // A ttl below what we would do anyway changes nothing.
  assert.deepEqual(nextCheck({ ...base, hints: { ttl: 5 } }), { at: now + DEFAULT_INTERVAL, reason: 'default' });
});

test('sy:updatePeriod and sy:updateFrequency', () => {
  assert.deepEqual(nextCheck({ ...base, hints: { updatePeriod: 'daily', updateFrequency: 4 } }), { at: now + 6 * H, reason: 'sy:updatePeriod' });
  assert.equal(hintInterval({ updatePeriod: 'weekly' })?.ms, 7 * 24 * H);
  assert.equal(hintInterval({ updatePeriod: 'hourly', updateFrequency: 0 })?.ms, H);
  assert.equal(hintInterval({ updatePeriod: 'sometimes' }), undefined);
});

test('the longest of the hints wins, and the max bound caps it', () => {
  assert.deepEqual(nextCheck({ ...base, hints: { ttl: 120, updatePeriod: 'daily', updateFrequency: 6 } }), { at: now + 4 * H, reason: 'sy:updatePeriod' });
  assert.deepEqual(nextCheck({ ...base, hints: { updatePeriod: 'weekly' } }), { at: now + max, reason: 'max' });
});

test('the observed rhythm: about twice per publishing interval, within bounds', () => {
  assert.deepEqual(nextCheck({ ...base, changeInterval: 6 * H }), { at: now + 3 * H, reason: 'observed' });
  assert.deepEqual(nextCheck({ ...base, changeInterval: 60_000 }), { at: now + min, reason: 'min' });
  // A server hint longer than the rhythm still wins.
  assert.deepEqual(nextCheck({ ...base, changeInterval: 2 * H, hints: { ttl: 240 } }), { at: now + 4 * H, reason: 'ttl' });
});

test('changeInterval from item dates, stretched by silence', () => {
  const items = [0, 1, 2, 3].map((i) => ({ published: now - i * 2 * H }));
  assert.equal(changeInterval(items, now), 2 * H);
  const old = [0, 1, 2].map((i) => ({ published: now - 10 * 24 * H - i * H }));
  assert.equal(changeInterval(old, now), 5 * 24 * H);
  assert.equal(changeInterval([{ published: now }], now), undefined);
  assert.equal(changeInterval([{}, { updated: now }], now), undefined);
});

test('jitter spreads within +-10% and stays within the bounds', () => {
  assert.equal(nextCheck({ ...base, random: () => 0 }).at, now + 0.9 * DEFAULT_INTERVAL);
  assert.equal(nextCheck({ ...base, random: () => 0.999999 }).at, Math.round(now + DEFAULT_INTERVAL * (1 + 0.1 * (2 * 0.999999 - 1))));
  assert.equal(nextCheck({ ...base, random: () => 0, changeInterval: 1 }).at, now + min);
  assert.equal(nextCheck({ ...base, random: () => 0.99, hints: { ttl: 10_000 } }).at, now + max);
});

test('skipHours moves the check to the next allowed hour (UTC)', () => {
  // Default lands at 11:00; 11 and 12 are skipped.
  assert.deepEqual(nextCheck({ ...base, hints: { skipHours: [11, 12] } }), { at: Date.UTC(2026, 0, 5, 13), reason: 'skip' });
  assert.equal(applySkips(now, { skipHours: [9] }), now);
  // Every hour skipped is nonsense and ignored.
  assert.equal(applySkips(now, { skipHours: Array.from({ length: 24 }, (_, i) => i) }), now);
});

test('skipDays moves the check to the next allowed day (UTC)', () => {
  assert.deepEqual(nextCheck({ ...base, hints: { skipDays: ['Monday', 'Tuesday'] } }), { at: Date.UTC(2026, 0, 7, 0), reason: 'skip' });
  assert.equal(applySkips(now, { skipDays: ['Sunday'] }), now);
});

test('errors back off exponentially from the min interval, up to the max', () => {
  const noJitter = { ...base, random: () => 0.5 };
  assert.deepEqual(nextCheck({ ...noJitter, errorCount: 1 }), { at: now + min, reason: 'backoff' });
  assert.deepEqual(nextCheck({ ...noJitter, errorCount: 3 }), { at: now + 4 * min, reason: 'backoff' });
  assert.deepEqual(nextCheck({ ...noJitter, errorCount: 30 }), { at: now + max, reason: 'backoff' });
  const spread = new Set([0, 0.25, 0.75].map((r) => nextCheck({ ...base, random: () => r, errorCount: 2 }).at));
  assert.equal(spread.size, 3);
});

test('Retry-After is honoured, even beyond the max interval', () => {
  assert.deepEqual(nextCheck({ ...base, errorCount: 1, retryAfterMs: 2 * H }), { at: now + 2 * H, reason: 'retry-after' });
  assert.deepEqual(nextCheck({ ...base, errorCount: 1, retryAfterMs: 2 * max }), { at: now + 2 * max, reason: 'retry-after' });
  assert.deepEqual(nextCheck({ ...base, errorCount: 1, retryAfterMs: 1000 }), { at: now + min, reason: 'backoff' });
});
