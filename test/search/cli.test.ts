import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/index.ts';
import { renderItem } from '../../src/archive/index.ts';
import { indexArchive } from '../../src/search/index.ts';

const run = promisify(execFile);
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const REFERENCE = new URL('../../../shared/examples/voachinese-7844678.md', import.meta.url).pathname;
let data: string;

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', MAIN, 'search', '--data', data, ...args], { env: { ...process.env, FEEDMIRROR_DATA: '' } });
    return { ...r, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

before(() => {
  data = mkdtempSync(join(tmpdir(), 'fm-search-cli-'));
  // An archive of two items, as the mirror leaves it: files plus items rows.
  mkdirSync(join(data, 'archive/articles/voa'), { recursive: true });
  mkdirSync(join(data, 'archive/articles/rfa'), { recursive: true });
  copyFileSync(REFERENCE, join(data, 'archive/articles/voa/1_ref.md'));
  writeFileSync(join(data, 'archive/articles/rfa/1_tw.md'), renderItem({
    time: Date.UTC(2024, 10, 1), title: '朝鮮外相抵達莫斯科', url: 'https://example.com/tw', html: '<p>崔善姬週二抵達莫斯科會晤俄羅斯外長。</p>',
  }));
  const db = openStore(join(data, 'feedmirror.db'));
  const add = db.prepare(`INSERT INTO items (id, site, url, title, content_hash, first_seen, archive_id, path) VALUES (?, ?, ?, ?, 'h', 0, ?, ?)`);
  add.run(1, 'voa', 'https://www.voachinese.com/a/7844678.html', 'ref', 1, 'articles/voa/1_ref.md');
  add.run(2, 'rfa', 'https://example.com/tw', 'tw', 2, 'articles/rfa/1_tw.md');
  add.run(3, 'rfa', 'https://example.com/gone', 'gone', 3, 'articles/rfa/2_gone.md');
  add.run(4, 'rfa', 'https://example.com/evil', 'evil', 4, '../../etc/passwd');
  db.close();
});

after(() => rmSync(data, { recursive: true, force: true }));

test('search --update indexes the archive, then finds Traditional and Simplified', async () => {
  const r = await cli('--update', '--json', '崔善姬');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /2 items indexed, 2 failed/);
  assert.match(r.stderr, /2_gone\.md/);
  assert.match(r.stderr, /outside the archive/);
  const out = JSON.parse(r.stdout);
  assert.equal(out.total, 2);
  assert.deepEqual(out.hits.map((h: { id: number }) => h.id).sort(), [1, 2]);
  assert.match(out.hits.find((h: { id: number }) => h.id === 1).snippet, /<mark>崔善姬<\/mark>/);
});

test('text output, limit, filters; bad input is one line on stderr and exit code 1', async () => {
  const r = await cli('莫斯科会晤', 'site:rfa', '--limit', '5');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1\. \*\*朝鮮外相\*\*抵達\*\*莫斯科\*\*|^1\. 朝鮮外相抵達\*\*莫斯科\*\*/m);
  assert.match(r.stdout, /rfa · 2024-11-01 · #2/);
  assert.match(r.stdout, /1-1 of 1 matches/);
  const bad = await cli('x', 'after:2024-99-01');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^feedmirror search: after: expects a date/);
});

test('indexArchive only adds what is missing unless rebuilding', async () => {
  const db = openStore(join(data, 'feedmirror.db'));
  try {
    assert.equal((await indexArchive(db, join(data, 'archive'))).indexed, 0);
    assert.equal((await indexArchive(db, join(data, 'archive'), { rebuild: true })).indexed, 2);
  } finally {
    db.close();
  }
});
