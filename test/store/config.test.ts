import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseDuration, formatDuration, defaults } from '../../src/config/index.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fm-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('durations', () => {
  assert.equal(parseDuration('15m'), 900_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.equal(parseDuration('90'), 90_000);
  assert.equal(parseDuration(0), 0);
  assert.throws(() => parseDuration('soon'), /invalid duration/);
  assert.throws(() => parseDuration('15 minutes'), /invalid duration/);
  assert.throws(() => parseDuration(''), /invalid duration/);
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(500), '500ms');
});

test('defaults: ./data under the working directory', () => {
  const c = loadConfig({ env: {}, cwd: '/srv/fm' });
  assert.equal(c.dataDir, '/srv/fm/data');
  assert.equal(c.dbPath, '/srv/fm/data/feedmirror.db');
  assert.equal(c.minInterval, defaults.minInterval);
  assert.deepEqual(c.allow, []);
});

test('file in the data dir, then env overrides', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'feedmirror.json'), JSON.stringify({ allow: ['10.0.0.0/8'], proxy: 'http://proxy:3128', minInterval: '5m', maxInterval: '2h', perHost: 4 }));
  const c = loadConfig({ env: { FEEDMIRROR_DATA: dir } });
  assert.deepEqual([c.dataDir, c.allow, c.proxy, c.minInterval, c.maxInterval, c.perHost], [dir, ['10.0.0.0/8'], 'http://proxy:3128', 300_000, 7_200_000, 4]);
  const e = loadConfig({ env: { FEEDMIRROR_DATA: dir, FEEDMIRROR_ALLOW: '127.0.0.1, ::1', FEEDMIRROR_PROXY: '' } });
  assert.deepEqual(e.allow, ['127.0.0.1', '::1']);
  assert.equal(e.proxy, undefined);
  // --data wins over the environment.
  assert.equal(loadConfig({ dataDir: '/x', env: { FEEDMIRROR_DATA: dir } }).dataDir, '/x');
});

test('--config names the file, which must exist', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'my.json');
  writeFileSync(file, JSON.stringify({ dataDir: join(dir, 'store'), concurrency: 8 }));
  const c = loadConfig({ configFile: file, env: {} });
  assert.equal(c.dbPath, join(dir, 'store', 'feedmirror.db'));
  assert.equal(c.concurrency, 8);
  assert.throws(() => loadConfig({ configFile: join(dir, 'missing.json'), env: {} }), /cannot read config/);
});

test('bad config: a clear error naming the setting', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'c.json');
  const bad = (value: unknown): Error => {
    writeFileSync(file, JSON.stringify(value));
    try {
      loadConfig({ configFile: file, env: {} });
    } catch (err) {
      return err as Error;
    }
    throw new Error('accepted');
  };
  assert.match(bad({ alow: [] }).message, /unknown setting "alow"/);
  assert.match(bad({ minInterval: 'often' }).message, /minInterval: invalid duration/);
  assert.match(bad({ perHost: 0 }).message, /perHost: expected a positive integer/);
  assert.match(bad({ allow: [1] }).message, /allow: expected a list of strings/);
  assert.match(bad({ proxy: 'ftp://x' }).message, /unsupported proxy scheme/);
  assert.match(bad({ minInterval: '2d' }).message, /minInterval is larger than maxInterval/);
  assert.match(bad([1]).message, /expected a JSON object/);
  writeFileSync(file, '{');
  assert.throws(() => loadConfig({ configFile: file, env: {} }), /not valid JSON/);
});
