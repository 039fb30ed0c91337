// The login brake: a limit per address within a window from the first failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Throttle } from '../../src/throttle/index.ts';

test('closes after the limit, per address, and opens when the window has passed', () => {
  let now = 1_000_000;
  const t = new Throttle({ limit: 3, window: 60_000, now: () => now });
  for (let i = 0; i < 2; i++) t.failed('a');
  assert.equal(t.throttled('a'), false);
  t.failed('a');
  assert.equal(t.throttled('a'), true);
  assert.equal(t.throttled('b'), false);
  now += 60_000;
  assert.equal(t.throttled('a'), true); // the window counts from the first failure, inclusive
  now += 1;
  assert.equal(t.throttled('a'), false);
  t.failed('a');
  assert.equal(t.throttled('a'), false); // a new window, one failure
});

test('clear forgets an address', () => {
  const t = new Throttle({ limit: 1 });
  t.failed('a');
  assert.equal(t.throttled('a'), true);
  t.clear('a');
  assert.equal(t.throttled('a'), false);
});

test('remembers at most `keys` addresses, dropping the oldest', () => {
  const t = new Throttle({ limit: 1, keys: 2 });
  t.failed('a');
  t.failed('b');
  t.failed('c');
  assert.equal(t.throttled('a'), false);
  assert.equal(t.throttled('b'), true);
  assert.equal(t.throttled('c'), true);
});
