import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Archive,
  ArchiveError,
  ArchiveFormatError,
  checkArchive,
  cleanupTemp,
  readItem,
  renderItem,
  renderList,
  writeFileAtomic,
} from '../../src/archive/index.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus');

function tmpRoot(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fm-archive-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const item = (n: number) => ({ time: 1_700_000_000_000 + n, title: `标题 ${n}`, url: `https://example.com/${n}`, html: `<p>${n}</p>` });

/** Every file under dir, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const out = (await fs.readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile());
  return out.map((d) => path.relative(dir, path.join(d.parentPath ?? d.path, d.name))).sort();
}

test('write allocates ids counting down from 1048575 and writes the item file', async (t) => {
  const root = tmpRoot(t);
  const a = new Archive(root);
  const w1 = await a.write('美国之音', item(1));
  const w2 = await a.write('美国之音', item(2));
  const w3 = await a.write('BBC', item(3));
  assert.deepEqual(w1, { id: 1048575, path: 'articles/美国之音/1048575_标题 1.md' });
  assert.deepEqual(w2, { id: 1048574, path: 'articles/美国之音/1048574_标题 2.md' });
  assert.deepEqual(w3, { id: 1048575, path: 'articles/BBC/1048575_标题 3.md' });
  assert.equal(readFileSync(path.join(root, w1.path), 'utf8'), renderItem(item(1)));
  assert.deepEqual(await a.read(w2.path), item(2));
  assert.deepEqual(await a.sites(), ['BBC', '美国之音']);
  assert.deepEqual((await a.list('美国之音')).map((f) => f.id), [1048574, 1048575]);
  assert.deepEqual(await tree(root), ['articles/BBC/1048575_标题 3.md', 'articles/美国之音/1048574_标题 2.md', 'articles/美国之音/1048575_标题 1.md']);
});

test('ids continue below the existing files of a site (corpus names, <id>.md names)', async (t) => {
  const root = tmpRoot(t);
  const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) as { files: { path: string; origin: { path: string } }[] };
  const dir = path.join(root, 'articles', '美国之音');
  await fs.mkdir(dir, { recursive: true });
  for (const f of manifest.files) {
    if (f.origin.path.startsWith('articles/美国之音/')) await fs.copyFile(path.join(CORPUS, f.path), path.join(dir, path.posix.basename(f.origin.path)));
  }
  const voa = path.join(CORPUS, 'markdown-archive/articles/voa');
  await fs.mkdir(path.join(root, 'articles', 'voa'), { recursive: true });
  for (const f of await fs.readdir(voa)) await fs.copyFile(path.join(voa, f), path.join(root, 'articles', 'voa', f));
  await fs.writeFile(path.join(dir, 'README.md'), 'not an item');

  const a = new Archive(root);
  assert.equal((await a.list('美国之音')).length, 8);
  assert.equal((await a.list('美国之音'))[0].id, 1047747);
  assert.equal((await a.write('美国之音', item(1))).id, 1047746);
  assert.equal((await a.write('美国之音', item(2))).id, 1047745);
  assert.equal((await a.write('voa', item(3))).id, 1010633);
  // A fresh Archive over the same root sees the new files too.
  assert.equal((await new Archive(root).write('美国之音', item(4))).id, 1047744);
  // The corpus files read back unchanged through the Archive.
  const first = (await a.list('美国之音')).find((f) => f.id === 1047747)!;
  const text = readFileSync(path.join(root, first.path), 'utf8');
  assert.equal(renderItem(await a.read(first.path)), text);
});

test('concurrent writes get distinct consecutive ids', async (t) => {
  const root = tmpRoot(t);
  const a = new Archive(root);
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => a.write('s', item(i))));
  const ids = results.map((r) => r.id).sort((x, y) => x - y);
  assert.equal(new Set(ids).size, 40);
  assert.equal(ids[0], 1048575 - 39);
  assert.equal(ids[39], 1048575);
  assert.equal((await a.list('s')).length, 40);
});

test('explicit ids, taken ids, invalid items do not spend an id', async (t) => {
  const root = tmpRoot(t);
  const a = new Archive(root);
  assert.deepEqual(await a.write('cdt', { ...item(1), id: 0xfffff ^ 400971 }), { id: 647604, path: 'articles/cdt/0647604_标题 1.md' });
  await assert.rejects(a.write('cdt', { ...item(2), id: 647604 }), ArchiveError);
  await assert.rejects(a.write('cdt', { ...item(2), id: -3 }), ArchiveError);
  await assert.rejects(a.write('cdt', { ...item(2), time: NaN }), ArchiveFormatError);
  await assert.rejects(a.write('cdt', { ...item(2), time: undefined }), /needs a time/);
  await assert.rejects(a.write('', item(2)), RangeError);
  assert.equal((await a.write('cdt', item(3))).id, 647603);
  // The id space of a site runs out cleanly.
  const b = new Archive(tmpRoot(t));
  await b.write('s', { ...item(1), id: 0 });
  await assert.rejects(b.write('s', item(2)), /no ids left/);
});

test('update rewrites an item in place; paths outside articles/ are refused', async (t) => {
  const root = tmpRoot(t);
  const a = new Archive(root);
  const { path: p } = await a.write('s', item(1));
  const revised = { ...item(1), title: 'revised title', html: '<p>new</p>' };
  await a.update(p, revised);
  assert.deepEqual(await a.read(p), revised);
  assert.deepEqual(await tree(root), [p]); // same name, no temporary left
  await assert.rejects(a.update('articles/s/1_missing.md', revised), ArchiveError);
  for (const bad of ['../outside.md', '/etc/passwd', 'lists/s.md', 'articles/../../x.md', 'articles/s/x.txt', 'articles/s/\0.md']) {
    await assert.rejects(a.read(bad), ArchiveError, bad);
    await assert.rejects(a.update(bad, revised), ArchiveError, bad);
  }
});

test('read reports invalid UTF-8 and malformed files with their path', async (t) => {
  const root = tmpRoot(t);
  await fs.mkdir(path.join(root, 'articles/s'), { recursive: true });
  await fs.writeFile(path.join(root, 'articles/s/1_a.md'), Buffer.from([0x3c, 0xff, 0xfe]));
  await fs.writeFile(path.join(root, 'articles/s/2_b.md'), 'no item here\n');
  const a = new Archive(root);
  await assert.rejects(a.read('articles/s/1_a.md'), /1_a\.md: not valid UTF-8/);
  await assert.rejects(a.read('articles/s/2_b.md'), /2_b\.md: line 1/);
  // A list still shows them, under their file names.
  const entries = await a.listEntries('s');
  assert.deepEqual(entries.map((e) => e.title), ['a', 'b']);
});

test('writeList writes lists/<site>.md from the newest files; walk visits every item', async (t) => {
  const root = tmpRoot(t);
  const a = new Archive(root);
  for (let i = 0; i < 5; i++) await a.write('美国之音', item(i));
  await a.write('BBC', item(9));
  const rel = await a.writeList('美国之音', undefined, { limit: 3 });
  assert.equal(rel, 'lists/美国之音.md');
  const text = readFileSync(path.join(root, rel), 'utf8');
  const expected = renderList('美国之音', [4, 3, 2].map((n) => ({ time: item(n).time, title: item(n).title, file: `${1048575 - n}_标题 ${n}.md` })));
  assert.equal(text, expected);
  assert.ok(text.includes('[标题 4](/articles/美国之音/1048571_标题%204.md)'));
  const explicit = await a.writeList('BBC', [{ title: 'x', file: '1_x.md', time: 0 }], { timeZone: 'UTC', more: null });
  assert.equal(readFileSync(path.join(root, explicit), 'utf8'), 'BBC\n------\n\n1-1 [x](/articles/BBC/1_x.md)\n');
  const all = [];
  for await (const f of a.walk()) all.push(`${f.site}/${f.id}`);
  assert.deepEqual(all, ['BBC/1048575', '美国之音/1048571', '美国之音/1048572', '美国之音/1048573', '美国之音/1048574', '美国之音/1048575']);
  assert.deepEqual(await new Archive(path.join(root, 'nothing')).sites(), []);
});

test('atomic writes leave no temporary file; readers never see a partial file', async (t) => {
  const root = tmpRoot(t);
  const file = path.join(root, 'd', 'big.md');
  const a = 'a'.repeat(2_000_000);
  const b = 'b'.repeat(3_000_000);
  await writeFileAtomic(file, a);
  let reads = 0;
  let writing = true;
  const reader = (async () => {
    while (writing) {
      const s = await fs.readFile(file, 'utf8');
      assert.ok(s === a || s === b, `partial file of ${s.length} chars`);
      reads++;
    }
  })();
  for (let i = 0; i < 10; i++) await writeFileAtomic(file, i % 2 ? a : b);
  writing = false;
  await reader;
  assert.ok(reads > 0);
  assert.deepEqual(await fs.readdir(path.join(root, 'd')), ['big.md']);
});

test('a failed atomic write removes its temporary file and keeps the old file', async (t) => {
  const root = tmpRoot(t);
  const target = path.join(root, 'x.md');
  await fs.mkdir(target); // rename onto a directory fails
  await assert.rejects(writeFileAtomic(target, 'data'));
  assert.deepEqual(await fs.readdir(root), ['x.md']);
  assert.ok((await fs.stat(target)).isDirectory());
});

test('cleanupTemp removes leftover temporaries, and nothing else', async (t) => {
  const root = tmpRoot(t);
  const a = new Archive(root);
  const { path: p } = await a.write('s', item(1));
  await a.writeList('s');
  const stale = [
    'articles/s/.1048574_标题 2.md.tmp-4242-0123456789ab',
    'lists/.s.md.tmp-1-abcdefabcdef',
  ];
  for (const s of stale) await fs.writeFile(path.join(root, s), 'half');
  const keep = ['articles/s/.hidden', 'articles/s/x.tmp-1-abcdefabcdef', '.git/.a.tmp-1-abcdefabcdef'];
  for (const k of keep) {
    await fs.mkdir(path.dirname(path.join(root, k)), { recursive: true });
    await fs.writeFile(path.join(root, k), 'keep');
  }
  const removed = await cleanupTemp(root);
  assert.deepEqual(removed.map((r) => path.relative(root, r)).sort(), stale.sort());
  assert.deepEqual(await tree(root), [...keep, p, 'lists/s.md'].sort());
  assert.deepEqual(await cleanupTemp(path.join(root, 'missing')), []);
  // The item is intact.
  assert.deepEqual(readItem(readFileSync(path.join(root, p), 'utf8')), item(1));
});

test('checkArchive sorts the corpus into in the format / older layout / unreadable', async (t) => {
  const root = tmpRoot(t);
  await fs.cp(path.join(CORPUS, 'markdown-archive/articles'), path.join(root, 'articles'), { recursive: true });
  await fs.writeFile(path.join(root, 'articles/voa/0000005_bad.md'), 'x\n');
  await fs.writeFile(path.join(root, 'articles/voa/0000006_bin.md'), Buffer.from([0xff]));
  const r = await checkArchive(root);
  assert.equal(r.exact, 29);
  assert.deepEqual(r.changed, ['articles/cdt/400971.md']);
  assert.deepEqual(r.bad, [
    { path: 'articles/voa/0000005_bad.md', error: 'line 1: expected the link line [title](url)' },
    { path: 'articles/voa/0000006_bin.md', error: 'not valid UTF-8' },
  ]);
});
