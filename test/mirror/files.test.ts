// The batched writer of new item files: per-item errors inside a batch, ids, no temporary files left;
// an ingest larger than a batch and a row transaction.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive, FIRST_ID, itemFileName } from '../../src/archive/index.ts';
import { TEMP_NAME } from '../../src/archive/atomic.ts';
import { ArchiveIdError, ItemWriter, type Written } from '../../src/mirror/files.ts';
import { Mirror } from '../../src/mirror/index.ts';
import { openStore } from '../../src/store/index.ts';
import type { Item } from '../../src/parse/index.ts';

function setup(t: TestContext): Archive {
  const dir = mkdtempSync(join(tmpdir(), 'fm-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return new Archive(join(dir, 'archive'));
}

const item = (k: number): { time: number; title: string; url: string; html: string } => ({
  time: Date.UTC(2025, 0, 1) + k * 60_000, title: `消息 ${k}`, url: `https://example.com/${k}`, html: `<p>正文 ${k}</p>`,
});

test('a batch where one write fails and one item is invalid: the others are written, nothing of the failed one is left', async (t) => {
  const archive = setup(t);
  const writer = new ItemWriter(archive, 4); // 11 items: three batches, two of them in flight at once
  const [first] = await writer.write('站点', [item(0)]);
  assert.deepEqual(first, { path: `articles/站点/${itemFileName(FIRST_ID, '消息 0')}`, id: FIRST_ID });
  const site = join(archive.root, 'articles', '站点');
  // Item 6 of the next call will get id FIRST_ID - 6 (item 3 spends none): its final name is taken by a directory.
  mkdirSync(join(site, itemFileName(FIRST_ID - 6, '消息 7')));
  const items = Array.from({ length: 11 }, (_, k) => item(k + 1));
  items[2] = { ...items[2], time: 1.5 }; // renderItem refuses a fractional time
  const out = await writer.write('站点', items);

  assert.ok(out[2] instanceof Error && /time must be an integer/.test(out[2].message), String(out[2]));
  assert.ok(out[6] instanceof Error && (out[6] as NodeJS.ErrnoException).code === 'EISDIR', String(out[6]));
  const written = out.filter((w): w is Written => !(w instanceof Error));
  assert.equal(written.length, 9);
  // Ids count down in the order given; the invalid item spent none, the failed one spent FIRST_ID - 6.
  assert.deepEqual(written.map((w) => FIRST_ID - w.id), [1, 2, 3, 4, 5, 7, 8, 9, 10]);
  for (const [k, w] of out.entries()) {
    if (w instanceof Error) continue;
    assert.deepEqual(await archive.read(w.path), items[k]);
  }
  assert.deepEqual(readdirSync(site).filter((n) => TEMP_NAME.test(n)), []);
  assert.equal(readdirSync(site).length, 1 + 9 + 1); // the first item, nine new ones, the directory in the way

  // The failed item's id is free again for an item that asks for it; a taken one is refused.
  const [again, taken] = await writer.write('站点', [{ ...item(7), title: '消息 7 again', id: FIRST_ID - 6 }, { ...item(8), id: FIRST_ID - 1 }]);
  assert.deepEqual(again, { path: `articles/站点/${itemFileName(FIRST_ID - 6, '消息 7 again')}`, id: FIRST_ID - 6 });
  assert.ok(taken instanceof ArchiveIdError, String(taken));
  // New ids continue below the lowest one.
  const [next] = await writer.write('站点', [item(12)]);
  assert.equal((next as Written).id, FIRST_ID - 11);
  assert.deepEqual(readdirSync(site).filter((n) => TEMP_NAME.test(n)), []);
});

test('a call whose items are all invalid creates no directory', async (t) => {
  const archive = setup(t);
  const out = await new ItemWriter(archive).write('空', [{ title: 'no time', url: '', html: '' }]);
  assert.ok(out[0] instanceof ArchiveIdError);
  assert.throws(() => readdirSync(join(archive.root, 'articles', '空')), { code: 'ENOENT' });
  assert.throws(() => new ItemWriter(archive, 0), RangeError);
});

test('an ingest of 1,300 new items, duplicates among them: files and rows in step across write batches and row transactions', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-files-'));
  const db = openStore(join(dir, 'feedmirror.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const timings = { dedupe: 0, clean: 0, write: 0, store: 0 };
  const mirror = new Mirror(db, join(dir, 'archive'), { now: () => Date.UTC(2025, 5, 1), timings, clean: (html) => html });
  const base = Date.UTC(2025, 0, 1);
  // Newest first, as feeds list them; every 10th item repeats the one before it under another guid (same link).
  const items: Item[] = Array.from({ length: 1300 }, (_, k) => {
    const n = k % 10 === 9 ? k - 1 : k;
    return {
      guid: `g${k}`, link: `https://n.example/${n}`, title: { value: `条目 ${n}`, type: 'text' }, content: [{ value: `<p>${n}</p>`, type: 'html' }],
      published: base - n * 60_000, links: [], authors: [], contributors: [], categories: [], enclosures: [], media: [], thumbnails: [], itunes: {}, ext: [],
    } as Item;
  });
  const r = await mirror.ingest(items, [{ site: 'S' }]);
  assert.equal(r.added, 1170);
  assert.equal(r.duplicates, 130);
  assert.equal(r.failed, 0, r.errors.join('; '));
  const rows = db.prepare('SELECT archive_id AS id, path, time FROM items ORDER BY archive_id').all() as { id: number; path: string; time: number }[];
  assert.equal(rows.length, 1170);
  const files = readdirSync(join(dir, 'archive', 'articles', 'S')).sort();
  assert.deepEqual(files, rows.map((row) => row.path.slice('articles/S/'.length)).sort());
  // Ids count down from the oldest: the newest item has the lowest id, and ids are consecutive.
  assert.equal(rows[0].id, FIRST_ID - 1169);
  assert.equal(rows[0].time, base);
  assert.equal(rows[1169].id, FIRST_ID);
  assert.ok(rows.every((row, k) => k === 0 || (row.id === rows[k - 1].id + 1 && row.time < rows[k - 1].time)));
  // The stages add up to the main thread's time; each one took some.
  assert.ok(timings.dedupe > 0 && timings.write > 0 && timings.store > 0, JSON.stringify(timings));
  // Again: every item known, nothing written.
  const again = await mirror.ingest(items, [{ site: 'S' }]);
  assert.deepEqual([again.added, again.unchanged + again.duplicates], [0, 1300]);
  assert.equal(readdirSync(join(dir, 'archive', 'articles', 'S')).length, 1170);
});
