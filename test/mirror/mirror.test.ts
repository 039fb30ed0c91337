// The pipeline in-process: dedupe rules, revisions and their crash redo, reconcile, import, rebuild.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Database } from '../../src/store/index.ts';
import { addSubscription } from '../../src/subscribe/index.ts';
import { Mirror, STARTER, seedStarter, diffVersions, htmlLines, diffLines, inlineDiff, lockDataDir, LockedError } from '../../src/mirror/index.ts';
import { spawnSync } from 'node:child_process';
import type { Item } from '../../src/parse/index.ts';
import { repo, tree } from './helpers.ts';

function setup(t: TestContext): { dir: string; db: Database; mirror: Mirror; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fm-mirror-'));
  const db = openStore(join(dir, 'feedmirror.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const root = join(dir, 'archive');
  return { dir, db, mirror: new Mirror(db, root, { now: () => Date.UTC(2025, 5, 1) }), root };
}

function item(fields: Omit<Partial<Item>, 'title'> & { title?: string; html?: string }): Item {
  const { title, html, ...rest } = fields;
  return {
    links: [], content: html === undefined ? [] : [{ value: html, type: 'html' }], title: title === undefined ? undefined : { value: title, type: 'text' },
    authors: [], contributors: [], categories: [], enclosures: [], media: [], thumbnails: [], itunes: {}, ext: [], ...rest,
  };
}

const count = (db: Database, sql: string): number => db.prepare(sql).pluck().get() as number;

test('dedupe: guid, then link without tracking parameters, then content; a repeat writes nothing', async (t) => {
  const { db, mirror, root } = setup(t);
  const a = item({ guid: 'g1', link: 'https://n.example/a/1', title: '第一条', html: '<p>一</p>', published: Date.UTC(2025, 0, 1) });
  const r1 = await mirror.ingest([a], [{ site: '测试' }]);
  assert.deepEqual([r1.added, r1.duplicates, r1.unchanged], [1, 0, 0]);
  const files = tree(root);
  // Same guid; same link with utm_* and at_* parameters and a fragment; same content under new keys.
  const r2 = await mirror.ingest([
    a,
    item({ guid: 'other', link: 'https://n.example/a/1?utm_source=rss&at_medium=feed#top', title: '第一条', html: '<p>一</p>', published: Date.UTC(2025, 0, 1) }),
    item({ guid: 'g3', link: 'https://n.example/a/3', title: '第一条', html: '<p>一</p>' }),
  ], [{ site: '测试' }]);
  assert.deepEqual([r2.added, r2.updated, r2.unchanged, r2.duplicates], [0, 0, 1, 2]);
  assert.deepEqual(tree(root), files);
  assert.equal(count(db, 'SELECT count(*) FROM items'), 1);
  // Another site keeps its own copy.
  const r3 = await mirror.ingest([a], [{ site: '别处' }]);
  assert.equal(r3.added, 1);
  // Two copies in one feed: one file.
  const r4 = await mirror.ingest([item({ guid: 'x', title: '重复', html: '<p>x</p>' }), item({ guid: 'x', title: '重复', html: '<p>x</p>' })], [{ site: '测试' }]);
  assert.deepEqual([r4.added, r4.duplicates], [1, 1]);
});

test('ids count down oldest to newest; the list is newest first; time falls back to first seen', async (t) => {
  const { mirror, root } = setup(t);
  const items = [3, 2, 1].map((d) => item({ guid: `d${d}`, link: `https://n.example/${d}`, title: `第${d}天`, html: `<p>${d}</p>`, published: Date.UTC(2025, 0, d) }));
  items.push(item({ guid: 'nodate', link: 'https://n.example/x', title: '无日期', html: '<p>x</p>' }));
  await mirror.ingest(items, [{ site: 'S', heading: '站点' }]);
  await mirror.finishCycle();
  assert.deepEqual(tree(root), [
    'articles/S/1048572_无日期.md', 'articles/S/1048573_第3天.md', 'articles/S/1048574_第2天.md', 'articles/S/1048575_第1天.md', 'lists/S.md',
  ]);
  const list = readFileSync(join(root, 'lists/S.md'), 'utf8');
  assert.match(list, /^站点\n------\n\n6-1 \[无日期\]\(\/articles\/S\/1048572_无日期\.md\)\n\n1-3 \[第3天\]/);
  assert.match(readFileSync(join(root, 'articles/S/1048572_无日期.md'), 'utf8'), new RegExp(`^<!--${Date.UTC(2025, 5, 1)}-->\n`));
});

test('revision: file rewritten in place, previous version kept; redo after a crash at either step records it once', async (t) => {
  const { db, mirror, root } = setup(t);
  const v1 = item({ guid: 'r', link: 'https://n.example/r', title: '原标题', html: '<p>第一段</p><p>第二段</p>', published: Date.UTC(2025, 0, 1) });
  await mirror.ingest([v1], [{ site: 'S' }]);
  const [file] = tree(root);
  const v2 = { ...v1, title: { value: '新标题', type: 'text' as const }, content: [{ value: '<p>第一段</p><p>第二段改了</p>', type: 'html' as const }] };
  const r = await mirror.ingest([v2], [{ site: 'S' }]);
  assert.equal(r.updated, 1);
  assert.deepEqual(tree(root), [file]);
  assert.match(readFileSync(join(root, file), 'utf8'), /^<!--1735689600000-->\n\[新标题\]\(https:\/\/n\.example\/r\)\n------\n\n<p>第一段<\/p><p>第二段改了<\/p>\n$/);
  const revs = mirror.items.revisions(1);
  assert.deepEqual(revs.map((x) => [x.title, x.html]), [['原标题', '<p>第一段</p><p>第二段</p>']]);
  assert.equal(mirror.items.get(1)!.revisions, 1);

  // A crash after the revision row, before the file: the row still says v2.
  const v3 = { ...v2, content: [{ value: '<p>第三版</p>', type: 'html' as const }] };
  mirror.items.addRevision(1, { title: '新标题', url: 'https://n.example/r', html: '<p>第一段</p><p>第二段改了</p>', contentHash: mirror.items.get(1)!.contentHash }, 1);
  assert.equal((await mirror.ingest([v3], [{ site: 'S' }])).updated, 1);
  assert.equal(count(db, 'SELECT count(*) FROM item_revisions'), 2);
  assert.match(readFileSync(join(root, file), 'utf8'), /<p>第三版<\/p>/);

  // A crash after the file, before the row: the file already holds v4.
  const v4 = { ...v3, content: [{ value: '<p>第四版</p>', type: 'html' as const }] };
  await mirror.archive.update(file, { time: 1735689600000, title: '新标题', url: 'https://n.example/r', html: '<p>第四版</p>' });
  db.prepare('INSERT INTO item_revisions (item_id, title, url, html, content_hash, replaced) VALUES (1, ?, ?, ?, ?, 2)').run('新标题', 'https://n.example/r', '<p>第三版</p>', mirror.items.get(1)!.contentHash);
  assert.equal((await mirror.ingest([v4], [{ site: 'S' }])).updated, 1);
  assert.equal(count(db, 'SELECT count(*) FROM item_revisions'), 3);
  assert.equal(mirror.items.get(1)!.revisions, 3);
  // Seen again: nothing.
  const again = await mirror.ingest([v4], [{ site: 'S' }]);
  assert.deepEqual([again.updated, again.unchanged], [0, 1]);
  assert.equal(count(db, 'SELECT count(*) FROM item_revisions'), 3);
  const stats = mirror.items.siteStats();
  assert.deepEqual(stats.map((s) => [s.site, s.items, s.edited, s.revisions]), [['S', 1, 1, 3]]);
});

test('reconcile: temporary files removed, files without rows adopted, rows without files marked and their feed fetched again', async (t) => {
  const { db, mirror, root } = setup(t);
  const feed = addSubscription(db, 'https://feeds.example/rss', { site: 'S' });
  db.prepare("UPDATE feeds SET etag = '\"v1\"', last_modified = 'x', next_check = 99 WHERE id = ?").run(feed.feedId);
  const items = [1, 2, 3].map((i) => item({ guid: `i${i}`, link: `https://n.example/${i}`, title: `条目${i}`, html: `<p>${i}</p>`, published: Date.UTC(2025, 0, i) }));
  await mirror.ingest(items, [{ site: 'S', feedId: feed.feedId }]);
  const files = tree(root);
  // A crash left: a temporary file, a file without its row, a row without its file.
  writeFileSync(join(root, 'articles/S/.1048000_x.md.tmp-123-0123456789ab'), 'half');
  const [gone] = files.filter((f) => f.includes('条目2'));
  unlinkSync(join(root, gone));
  const adopted = await mirror.archive.write('S', { time: Date.UTC(2025, 0, 9), title: '孤儿', url: 'https://n.example/9', html: '<p>9</p>' });
  // The restart: a new process, a new Mirror.
  const restarted = new Mirror(db, root);
  const report = await restarted.reconcile();
  assert.deepEqual([report.tempRemoved, report.adopted, report.missing], [1, 1, 1]);
  assert.equal(readdirSync(join(root, 'articles/S')).some((n) => n.includes('.tmp-')), false);
  assert.deepEqual(db.prepare('SELECT etag, last_modified, next_check FROM feeds WHERE id = ?').get(feed.feedId), { etag: null, last_modified: null, next_check: 0 });
  assert.equal(restarted.items.byPathOf(adopted.path)!.title, '孤儿');
  // The feed brings the lost item again: written back under its own id; the adopted one is recognized by its link.
  const r = await restarted.ingest([...items, item({ guid: 'i9', link: 'https://n.example/9', title: '孤儿', html: '<p>9</p>' })], [{ site: 'S', feedId: feed.feedId }]);
  assert.deepEqual([r.added, r.restored, r.duplicates + r.unchanged], [0, 1, 3]);
  assert.ok(tree(root).includes(gone));
  assert.equal(restarted.items.byPathOf(adopted.path)!.guid, 'i9');
  assert.equal(count(db, 'SELECT count(*) FROM items WHERE missing = 1'), 0);
});

test('import the corpus archive: no duplicates on a second import; rebuild recreates the index from the files', async (t) => {
  const { db, mirror, root } = setup(t);
  const corpus = join(repo, '../shared/corpus/markdown-archive');
  const first = await mirror.import(corpus, { sites: { voa: '美国之音' } });
  assert.equal(first.unreadable.length, 0, first.unreadable.join('\n'));
  // 29 files in the format and one of the older layout.
  assert.equal(first.imported, 30);
  const second = await mirror.import(corpus, { sites: { voa: '美国之音' } });
  assert.deepEqual([second.imported, second.duplicates], [0, 30]);
  const c = await mirror.finishCycle();
  assert.ok(c.lists.includes('lists/美国之音.md'), c.lists.join());
  assert.ok(tree(root).includes('articles/美国之音/1047747_停止邪恶打压：美国务卿就中共镇压法轮功21周年发表声明.md'));
  // An imported item's bytes are those of a file in the format.
  const src = readFileSync(join(corpus, 'articles/voa/1047747.md'), 'utf8');
  assert.equal(readFileSync(join(root, 'articles/美国之音/1047747_停止邪恶打压：美国务卿就中共镇压法轮功21周年发表声明.md'), 'utf8'), src);

  // Rebuild: the index dropped entirely, then recreated from the files alone.
  const paths = db.prepare('SELECT path, title, time, content_hash FROM items ORDER BY path').all();
  db.prepare('DELETE FROM items').run();
  const r = await mirror.reconcile({ rebuild: true });
  assert.equal(r.adopted, 30);
  assert.deepEqual(db.prepare('SELECT path, title, time, content_hash FROM items ORDER BY path').all(), paths);
  // A renamed file is followed, a deleted one dropped.
  const [one, two] = tree(root).filter((f) => f.startsWith('articles/美国之音/'));
  unlinkSync(join(root, one));
  renameSync(join(root, two), join(root, two.replace(/_[^/]*$/, '_renamed.md')));
  const r2 = await mirror.reconcile({ rebuild: true });
  assert.equal(r2.dropped, 1);
  assert.equal(count(db, 'SELECT count(*) FROM items'), 29);
  assert.ok(mirror.items.byPathOf(two.replace(/_[^/]*$/, '_renamed.md')));
});

test('starter list: added on the first start only', (t) => {
  const { db } = setup(t);
  assert.equal(seedStarter(db), STARTER.length);
  const subs = db.prepare('SELECT s.site, f.url FROM subscriptions s JOIN feeds f ON f.id = s.feed_id ORDER BY s.id').all() as { site: string; url: string }[];
  assert.deepEqual(subs.map((s) => s.site), ['美国之音', 'BBC', '法广', '德国之声', '纽约时报', '路透', '金融时报', '自由亚洲电台', '中国数字时代']);
  assert.ok(subs.every((s) => /^https:\/\/(feedx\.net\/rss\/|www\.rfa\.org\/|chinadigitaltimes\.net\/)/.test(s.url)));
  db.prepare('DELETE FROM subscriptions').run();
  assert.equal(seedStarter(db), 0);
  assert.equal(count(db, 'SELECT count(*) FROM subscriptions'), 0);
});

test('diff: one tag per line; a changed sentence is one line out, one in', () => {
  assert.deepEqual(htmlLines('<p>a b</p>\n<p>c</p>'), ['<p>', 'a b', '</p>', '<p>', 'c', '</p>']);
  const ops = diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']);
  assert.deepEqual(ops.map((o) => o.op + o.line), [' a', '-b', '+x', ' c', ' d', '+e']);
  const text = diffVersions({ title: 'T', url: 'u', html: '<p>一</p><p>二</p><p>三</p><p>四</p><p>五</p>' }, { title: 'T2', url: 'u', html: '<p>一</p><p>二</p><p>三改</p><p>四</p><p>五</p>' }, 1);
  assert.equal(text, '- title: T\n+ title: T2\n  …\n  <p>\n- 三\n+ 三改\n  </p>\n  …\n');
  assert.equal(diffVersions({ title: 'T', url: 'u', html: '<p>x</p>' }, { title: 'T', url: 'u', html: '<p>x</p>' }), '  (no visible change)\n');
  // Word mode: CJK character by character, Latin word by word.
  assert.equal(inlineDiff('专家说，这将大幅改善台风和暴雨的预报。', '专家说，这将改善台风的预报。'), '专家说，这将[-大幅-]改善台风[-和暴雨-]的预报。');
  assert.equal(inlineDiff('The minister resigned on Monday', 'The minister resigned on Tuesday'), 'The minister resigned on [-Monday-]{+Tuesday+}');
  assert.equal(diffVersions({ title: '旧', url: 'u', html: '<p>甲乙丙</p>' }, { title: '新', url: 'u', html: '<p>甲丁丙</p>' }, 1, { words: true }),
    '~ title: [-旧-]{+新+}\n  <p>\n~ 甲[-乙-]{+丁+}丙\n  </p>\n');
});

test('one archiving process per data directory: a live holder refuses, a dead one is taken over', (t) => {
  const { dir } = setup(t);
  const release = lockDataDir(dir);
  assert.throws(() => lockDataDir(dir), LockedError);
  release();
  lockDataDir(dir)();
  // The parent process is alive: its lock stands.
  writeFileSync(join(dir, 'mirror.lock'), `${process.ppid}\n`);
  assert.throws(() => lockDataDir(dir), /another feedmirror process \(pid \d+\) is archiving/);
  // A process that has exited left it: taken over.
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  writeFileSync(join(dir, 'mirror.lock'), `${gone}\n`);
  const mine = lockDataDir(dir);
  assert.equal(readFileSync(join(dir, 'mirror.lock'), 'utf8'), `${process.pid}\n`);
  mine();
  assert.throws(() => readFileSync(join(dir, 'mirror.lock')), /ENOENT/);
});

test('git publishing after a cycle: the commit counts new and updated items; a failed push is reported, pushed next cycle', async (t) => {
  const { dir, mirror, root } = setup(t);
  const git = (cwd: string, ...args: string[]): string => spawnSync('git', args, { cwd, encoding: 'utf8' }).stdout.trim();
  const bare = join(dir, 'remote.git');
  spawnSync('git', ['init', '-q', '--bare', bare]);
  const v1 = item({ guid: 'p', link: 'https://n.example/p', title: '发布', html: '<p>一</p>', published: Date.UTC(2025, 0, 1) });
  await mirror.ingest([v1, item({ guid: 'q', link: 'https://n.example/q', title: '另一条', html: '<p>二</p>', published: Date.UTC(2025, 0, 2) })], [{ site: 'S' }]);
  // The remote is unreachable this time: committed all the same, the push error reported.
  const first = await mirror.finishCycle({ git: { enabled: true, remote: join(dir, 'nowhere.git'), branch: 'main' } });
  assert.ok(first.publish?.commit);
  assert.equal(first.publish?.pushed, false);
  assert.match(first.publish?.pushError ?? '', /git push/);
  assert.equal(git(root, 'log', '-1', '--format=%s'), 'feedmirror: 2 new, 0 updated');
  await mirror.ingest([{ ...v1, content: [{ value: '<p>一改</p>', type: 'html' }] }], [{ site: 'S' }]);
  const second = await mirror.finishCycle({ git: { enabled: true, remote: bare, branch: 'main' } });
  assert.equal(second.publish?.pushed, true);
  assert.equal(git(root, 'log', '-1', '--format=%s'), 'feedmirror: 0 new, 1 updated');
  assert.equal(git(bare, 'rev-list', '--count', 'main'), '2');
});
