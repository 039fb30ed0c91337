// Full text in the pipeline: article pages served on 127.0.0.1, fetched through the
// real Fetcher, extracted, laid out by the template, cleaned, archived; pages kept
// compressed in a real SQLite file; reextract with a new site rule and a new template.
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fetcher } from '../../src/fetch/index.ts';
import { openStore, type Database } from '../../src/store/index.ts';
import { Mirror, FullText, loadPage, wantsPage, visibleLength, layout, type FullTextOptions } from '../../src/mirror/index.ts';
import { addSubscription } from '../../src/subscribe/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Item } from '../../src/parse/index.ts';
import { serve, cli, type Served } from './helpers.ts';

const para = (n: number): string =>
  `<p>第${n}段：俄罗斯外交部周三宣布，朝鲜外相将在莫斯科与俄罗斯外交部长举行战略磋商，双方将讨论地区安全局势和双边合作的具体安排，会谈时间稍后公布。</p>`;

function article(title: string, body: string, extra = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}_示例新闻</title>
<meta property="og:image" content="/img/lead.jpg"><meta property="article:published_time" content="2024-10-30T15:17:01Z">${extra}</head>
<body><nav><a href="/">首页</a><a href="/world">国际</a></nav><h1>${title}</h1>
<div class="article">${body}</div><div class="related"><a href="/a/9.html">相关新闻一</a><a href="/a/8.html">相关新闻二</a></div></body></html>`;
}

const FIGURE = '<figure><img src="/img/lead.jpg"><figcaption>图说：俄罗斯外长与朝鲜外相举行会谈（资料照片）</figcaption></figure>';
const NOTE = '<div class="note"><p>编者按：NOTE-MARK 本文为系列报道的第二篇，此前报道见本站国际频道的专题页面，欢迎读者来信讨论。</p></div>';

const pages: Record<string, string> = {
  '/a/1.html': article('朝鲜外相将在莫斯科会晤俄罗斯外长', FIGURE + para(1) + para(2) + para(3) + NOTE + para(4)),
  '/a/2.html': article('长内容的文章', para(1) + para(2) + para(3) + para(4) + '<p>ALWAYS-MARK 全文才有的一段话，说明这是从页面取来的正文内容。</p>'),
  '/m/100.html': article('分页的文章', para(1) + para(2) + para(3) + '<div class="pager"><a href="/m/100_2.html">下一页</a></div>'),
  '/m/100_2.html': article('分页的文章', '<p>PAGE-TWO 第二页：双方同意继续就经济合作展开磋商，并将在年底前举行新一轮会谈，以落实峰会上达成的协议。</p>' + para(5) + para(6)),
};

let srv: Served;
let fetcher: Fetcher;

before(async () => {
  srv = await serve((req, res) => {
    const body = pages[req.url ?? ''];
    if (!body) return res.writeHead(404, { 'content-type': 'text/html' }).end('<p>not found</p>');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  fetcher = new Fetcher({ allow: ['127.0.0.1'], proxy: '', perHostIntervalMs: 0 });
});

after(async () => {
  await fetcher.close();
  await srv.close();
});

function item(link: string, html: string, title = '标题', guid = link): Item {
  return {
    links: [], content: [{ value: html, type: 'html' }], title: { value: title, type: 'text' }, link, guid,
    authors: [], contributors: [], categories: [], enclosures: [], media: [], thumbnails: [], itunes: {}, ext: [],
    published: Date.UTC(2024, 9, 30, 15, 17, 1),
  };
}

function setup(t: TestContext, ft: Partial<FullTextOptions> = {}): { dir: string; db: Database; mirror: Mirror; root: string; make: (o?: Partial<FullTextOptions>) => Mirror } {
  const dir = mkdtempSync(join(tmpdir(), 'fm-fulltext-'));
  const db = openStore(join(dir, 'feedmirror.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const root = join(dir, 'archive');
  const log = { info: () => {}, warn: (o: object, m: string) => { if (process.env.FM_DEBUG) console.log('WARN', o, m); } };
  const make = (o: Partial<FullTextOptions> = {}): Mirror => new Mirror(db, root, { now: () => Date.UTC(2025, 5, 1), log, fulltext: new FullText({ fetcher, ...ft, ...o }) });
  return { dir, db, mirror: make(), root, make };
}

const fileOf = (db: Database, root: string, id = 1): string => {
  const p = db.prepare('SELECT path FROM items WHERE id = ?').pluck().get(id) as string;
  return readFileSync(join(root, p), 'utf8');
};
const count = (db: Database, sql: string, ...args: unknown[]): number => db.prepare(sql).pluck().get(...args) as number;

test('summary detection: short or truncated text calls for the page; never/always override', () => {
  assert.equal(visibleLength('<p>一二三 abc</p>'), 6);
  assert.equal(wantsPage('auto', '<p>短摘要</p>'), true);
  const long = '<p>' + '长'.repeat(300) + '</p>';
  assert.equal(wantsPage('auto', long), false);
  assert.equal(wantsPage('auto', '<p>' + '长'.repeat(300) + '……</p>'), true);
  assert.equal(wantsPage('auto', '<p>' + '长'.repeat(300) + ' <a href="/x">阅读全文</a></p>'), true);
  assert.equal(wantsPage('auto', '<p>' + 'word '.repeat(100) + 'Read more »</p>'), true);
  assert.equal(wantsPage('never', '<p>短</p>'), false);
  assert.equal(wantsPage('always', long), true);
  assert.equal(wantsPage('auto', '<p>短摘要</p>', 3), false);
});

test('template: the reference layout; parts left out when absent; page text never read as a placeholder', () => {
  const html = layout({ published: Date.UTC(2024, 9, 30, 15, 17, 1), leadImage: 'https://x.test/l.jpg', html: '<figure><img src="https://x.test/l.jpg"><figcaption>图 {body}</figcaption></figure><p>正文</p>' });
  assert.equal(html, '<div><i>Wed, 30 Oct 2024 15:17:01 GMT</i></div><img src="https://x.test/l.jpg" width="100%"><div><small style="color: #999;">图 {body}</small></div><p>正文</p>');
  assert.equal(layout({ html: '<p>只有正文</p>' }), '<p>只有正文</p>');
  assert.equal(layout({ html: '<p>b</p>', byline: '记者 王<某>' }, '{byline}|{body}'), '<div><small>记者 王&lt;某&gt;</small></div>|<p>b</p>');
});

test('auto: a summary-only item gets the full text in the archive file, in the reference layout; the page is stored', async (t) => {
  const { db, mirror, root } = setup(t);
  const r = await mirror.ingest([item(`${srv.url}/a/1.html`, '<p>朝鲜外相将访问莫斯科……</p>', '朝鲜外相将在莫斯科会晤俄罗斯外长')], [{ site: '测试', fulltext: 'auto' }]);
  assert.deepEqual([r.added, r.failed], [1, 0]);
  const file = fileOf(db, root);
  const lead = `${srv.url}/img/lead.jpg`;
  // The sanitizer writes void elements as XHTML (`<img … />`); the rest is the template's output as it was.
  assert.ok(file.includes(`<div><i>Wed, 30 Oct 2024 15:17:01 GMT</i></div><img src="${lead}" width="100%" /><div><small style="color: #999;">图说：俄罗斯外长与朝鲜外相举行会谈（资料照片）</small></div>`), file);
  assert.match(file, /<\/small><\/div>(<div>)*<p>第1段/);
  for (const n of [1, 2, 3, 4]) assert.ok(file.includes(`第${n}段`), `paragraph ${n}`);
  // The caption is shown once, above the body; nothing of the page's chrome came along.
  assert.equal(file.split('图说').length, 2);
  assert.ok(!file.includes('相关新闻一') && !file.includes('首页'));
  assert.ok(!file.includes('朝鲜外相将访问莫斯科……'));
  const stored = loadPage(db, 1)!;
  assert.equal(stored.url, `${srv.url}/a/1.html`);
  assert.equal(Buffer.from(stored.page!.body).toString('utf8'), pages['/a/1.html']);
  assert.equal(stored.error, undefined);
  const bytes = count(db, 'SELECT length(body) FROM item_pages WHERE item_id = 1');
  assert.ok(bytes < Buffer.byteLength(pages['/a/1.html']) / 2, `compressed ${bytes} bytes`);
  // A repeat of the feed fetches nothing again.
  const hits = srv.hits.length;
  const again = await mirror.ingest([item(`${srv.url}/a/1.html`, '<p>朝鲜外相将访问莫斯科……</p>', '朝鲜外相将在莫斯科会晤俄罗斯外长')], [{ site: '测试', fulltext: 'auto' }]);
  assert.deepEqual([again.added, again.unchanged], [0, 1]);
  assert.equal(srv.hits.length, hits);
});

test('never keeps the summary and fetches nothing; always fetches for long content', async (t) => {
  const { db, mirror, root } = setup(t);
  const before_ = srv.hits.length;
  await mirror.ingest([item(`${srv.url}/a/1.html`, '<p>只是摘要……</p>')], [{ site: '从不', fulltext: 'never' }]);
  assert.deepEqual(srv.hits.slice(before_), []);
  assert.ok(fileOf(db, root).includes('<p>只是摘要……</p>'), fileOf(db, root));
  assert.equal(count(db, 'SELECT count(*) FROM item_pages'), 0);

  const long = '<p>' + '这是一段足够长的正文，'.repeat(40) + '</p>';
  await mirror.ingest([item(`${srv.url}/a/2.html`, long, '长内容的文章')], [{ site: '总是', fulltext: 'always' }]);
  assert.ok(srv.hits.includes('/a/2.html'));
  assert.ok(fileOf(db, root, 2).includes('ALWAYS-MARK'));
  // auto leaves long content alone.
  const hits = srv.hits.length;
  await mirror.ingest([item(`${srv.url}/a/2.html?x=1`, long + '<p>另一条</p>', '长内容 auto', 'g-auto')], [{ site: '自动', fulltext: 'auto' }]);
  assert.equal(srv.hits.length, hits);
});

test('a page that fails keeps the summary, records the error, and loses no item', async (t) => {
  const { db, mirror, root } = setup(t);
  const r = await mirror.ingest([item(`${srv.url}/a/missing.html`, '<p>摘要而已……</p>')], [{ site: '测试', fulltext: 'auto' }]);
  assert.deepEqual([r.added, r.failed], [1, 0]);
  assert.ok(fileOf(db, root).includes('<p>摘要而已……</p>'));
  const stored = loadPage(db, 1)!;
  assert.match(stored.error ?? '', /404/);
  assert.equal(stored.page, undefined);
});

test('a multi-page article is joined', async (t) => {
  const { db, mirror, root } = setup(t);
  await mirror.ingest([item(`${srv.url}/m/100.html`, '<p>分页文章的摘要</p>', '分页的文章')], [{ site: '测试' }]);
  const file = fileOf(db, root);
  assert.ok(file.includes('第1段') && file.includes('PAGE-TWO') && file.includes('第6段'), file);
  assert.ok(srv.hits.includes('/m/100_2.html'));
});

test('reextract: a new site rule changes the archived body and makes a revision; a new template is applied by --all', async (t) => {
  const { dir, db, mirror, root, make } = setup(t);
  await mirror.ingest([
    item(`${srv.url}/a/1.html`, '<p>摘要……</p>', '朝鲜外相将在莫斯科会晤俄罗斯外长'),
    item(`${srv.url}/m/100.html`, '<p>分页摘要</p>', '分页的文章'),
  ], [{ site: '测试' }]);
  const id = db.prepare("SELECT id FROM items WHERE url LIKE '%/a/1.html'").pluck().get() as number;
  assert.ok(fileOf(db, root, id).includes('NOTE-MARK'));
  // Nothing new: nothing changes.
  const same = await make().reextract({ all: true });
  assert.deepEqual([same.checked, same.changed, same.unchanged, same.failed], [2, 0, 2, 0]);

  const rules = join(dir, 'rules');
  rmSync(rules, { recursive: true, force: true });
  mkdirSync(rules, { recursive: true });
  writeFileSync(join(rules, '127.0.0.1.json'), JSON.stringify({ body: 'div.article', strip: ['.note'] }));
  const hits = srv.hits.length;
  const r = await make({ rulesDir: rules }).reextract({ itemIds: [id] });
  assert.deepEqual([r.checked, r.changed, r.failed], [1, 1, 0]);
  assert.equal(srv.hits.length, hits, 'the stored page is used, not fetched again');
  const file = fileOf(db, root, id);
  assert.ok(!file.includes('NOTE-MARK') && file.includes('第4段'), file);
  const revs = db.prepare('SELECT html FROM item_revisions WHERE item_id = ?').pluck().all(id) as string[];
  assert.equal(revs.length, 1);
  assert.ok(revs[0].includes('NOTE-MARK'));
  assert.equal(count(db, 'SELECT revisions FROM items WHERE id = ?', id), 1);

  const all = await make({ rulesDir: rules, template: '{body}<p>TEMPLATE-V2</p>' }).reextract({ all: true });
  assert.deepEqual([all.checked, all.changed, all.failed], [2, 2, 0]);
  for (const row of db.prepare('SELECT id FROM items').pluck().all() as number[]) {
    const f = fileOf(db, root, row);
    assert.ok(f.includes('<p>TEMPLATE-V2</p>') && !f.includes('<div><i>'), f);
  }
  assert.equal(count(db, 'SELECT count(*) FROM item_revisions'), 3);
});

test('feedmirror reextract --all: the CLI applies a changed template from the config', async (t) => {
  const { dir, db, mirror, root } = setup(t);
  addSubscription(db, `${srv.url}/feed.xml`, { site: '命令行' });
  await mirror.ingest([item(`${srv.url}/a/1.html`, '<p>摘要……</p>')], [{ site: '命令行', feedId: 1 }]);
  writeFileSync(join(dir, 'feedmirror.json'), JSON.stringify({ allow: ['127.0.0.1'], starter: false, extractTemplate: '{body}<p>CLI-TEMPLATE</p>' }));
  const bad = await cli(['reextract', '--data', dir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /give an item, a feed, or --all/);
  const r = await cli(['reextract', '--all', '--json', '--data', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { checked: 1, changed: 1, unchanged: 0, failed: 0, errors: [] });
  assert.ok(fileOf(db, root).includes('<p>CLI-TEMPLATE</p>'));
  const byFeed = await cli(['reextract', `${srv.url}/feed.xml`, '--json', '--data', dir]);
  assert.deepEqual(JSON.parse(byFeed.stdout).changed, 0);
  const none = await cli(['reextract', 'no-such-thing', '--data', dir]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no item or feed "no-such-thing"/);
});

test('config: fulltext settings and extractTemplate are read and checked', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-ftconf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (json: object) => {
    writeFileSync(join(dir, 'feedmirror.json'), JSON.stringify(json));
    return loadConfig({ dataDir: dir, env: {} });
  };
  const c = load({ fulltext: { minChars: 120, rulesDir: 'rules', maxPages: 3 }, extractTemplate: '{date_line}{body}' });
  assert.deepEqual(c.fulltext, { minChars: 120, rulesDir: join(dir, 'rules'), maxPages: 3, concurrency: 4 });
  assert.equal(c.extractTemplate, '{date_line}{body}');
  assert.deepEqual(load({}).fulltext, { minChars: 200, maxPages: 10, concurrency: 4 });
  assert.throws(() => load({ extractTemplate: '{date}{body}' }), /extractTemplate: unknown placeholder \{date\}/);
  assert.throws(() => load({ fulltext: { minChars: -1 } }), /fulltext.minChars: expected a positive integer/);
  assert.throws(() => load({ fulltext: { depth: 2 } }), /fulltext: unknown setting "depth"/);
});
