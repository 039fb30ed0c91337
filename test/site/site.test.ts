// The static site built from a fixture archive, served from a subdirectory by a
// plain static file server on 127.0.0.1, and browsed in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readItem, renderItem } from '../../src/archive/index.ts';
import { archiveRoot } from '../../src/mirror/index.ts';
import { parseFeed } from '../../src/parse/index.ts';
import { buildSite, SiteError, type SiteReport } from '../../src/site/index.ts';
import { seed, REFERENCE_TITLE, REFERENCE_URL, HOSTILE_TITLE, type Seeded } from '../server/seed.ts';

let s: Seeded;
let www: string;
let out: string;
let server: http.Server;
let base: string;
let browser: Browser;
let first: SiteReport;
const external: string[] = [];

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.rss': 'application/rss+xml', '.atom': 'application/atom+xml' };

/** A directory server and nothing more: no rewriting, no server code of ours. */
function serve(root: string): http.Server {
  return http.createServer((req, res) => {
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = path.join(root, rel);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
}

before(async () => {
  s = await seed({ extra: 6, index: false });
  // A hand-edited archive file with live script: the site must sanitize on the way out.
  const rel = s.db.prepare('SELECT path FROM items WHERE title = ?').pluck().get(HOSTILE_TITLE) as string;
  const abs = path.join(archiveRoot(s.config), rel);
  const item = readItem(readFileSync(abs, 'utf8'));
  item.html = '<p>这篇文章试图运行脚本。</p><img src="x" onerror="window.__pwned = 1"><script>window.__pwned = 2</script><a id="js" href="javascript:window.__pwned=3">点我</a><svg><script>window.__pwned = 4</script></svg><iframe srcdoc="<script>parent.__pwned = 5</script>"></iframe>';
  writeFileSync(abs, renderItem(item));

  // An image of the archive image mode: a file under archive/assets, referenced relatively.
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
  mkdirSync(path.join(archiveRoot(s.config), 'assets/ab'), { recursive: true });
  writeFileSync(path.join(archiveRoot(s.config), 'assets/ab/ab01.png'), PNG);
  const fillerRel = s.db.prepare("SELECT path FROM items WHERE title LIKE '第2条%'").pluck().get() as string;
  const filler = readItem(readFileSync(path.join(archiveRoot(s.config), fillerRel), 'utf8'));
  filler.html += '<p><img src="../../assets/ab/ab01.png" alt="local"></p>';
  writeFileSync(path.join(archiveRoot(s.config), fillerRel), renderItem(filler));

  www = path.join(s.dir, 'www');
  out = path.join(www, 'mirror');
  first = await buildSite(s.db, { out, root: archiveRoot(s.config), pageSize: 3 });
  server = serve(www);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  s?.cleanup();
});

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  // Nothing leaves 127.0.0.1 (the fixture's images point at real hosts).
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') return route.continue();
    external.push(u.href);
    return route.abort();
  });
  await page.goto(url);
  return page;
}

test('the build: pages, feeds, search shards; a rebuild writes nothing when nothing changed', async () => {
  assert.equal(first.items, 8);
  for (const f of ['index.html', 'search.html', 'search.js', 'style.css', 'day/index.html', 'feeds/all.rss', 'feeds/all.atom', 'feeds/all.json', 'search/meta.json', 'search/t2s.json']) {
    assert.ok(existsSync(path.join(out, f)), f);
  }
  assert.deepEqual(first.warnings, []);
  // The feed files: read clean by our parser, the newest items first, the self link relative to the file.
  for (const f of ['all.rss', 'all.atom', 'all.json']) {
    const feed = parseFeed(readFileSync(path.join(out, 'feeds', f)));
    assert.equal(feed.bozo, false, f);
    assert.equal(feed.items.length, 8, f);
    assert.equal(feed.items[0].title?.value, HOSTILE_TITLE, f);
  }
  assert.match(readFileSync(path.join(out, 'feeds/all.atom'), 'utf8'), /<link rel="self" type="application\/atom\+xml" href="all\.atom"\/>/);
  const again = await buildSite(s.db, { out, root: archiveRoot(s.config), pageSize: 3 });
  assert.equal(again.written, 0);
  assert.equal(again.files, first.files);
  // A stale file of an earlier build goes; a foreign directory is refused.
  writeFileSync(path.join(out, 'stale.html'), 'old');
  const third = await buildSite(s.db, { out, root: archiveRoot(s.config), pageSize: 3 });
  assert.equal(third.removed, 1);
  assert.ok(!existsSync(path.join(out, 'stale.html')));
  const foreign = path.join(s.dir, 'foreign');
  mkdirSync(foreign);
  writeFileSync(path.join(foreign, 'keep.txt'), 'mine');
  await assert.rejects(buildSite(s.db, { out: foreign, root: archiveRoot(s.config) }), SiteError);
  assert.equal(readFileSync(path.join(foreign, 'keep.txt'), 'utf8'), 'mine');
  await assert.rejects(buildSite(s.db, { out: path.join(s.dir, 'x'), root: archiveRoot(s.config), baseUrl: 'javascript:alert(1)' }), /base-url/);
});

test('front page → site page (paged) → article, from a subdirectory', async () => {
  const page = await open(base);
  assert.equal(await page.title(), 'feedmirror');
  await page.click('ul.sites a:text("美国之音")');
  await page.waitForURL(/\/mirror\/site\/.+\/index\.html$/);
  assert.equal(await page.locator('h1').textContent(), '美国之音');
  assert.equal(await page.locator('ul.items li').count(), 3);
  await page.click('a[rel=next]');
  await page.waitForURL(/page-2\.html$/);
  assert.equal(await page.locator('ul.items li').count(), 1);
  await page.click('a[rel=prev]');
  await page.click(`ul.items a:text("${REFERENCE_TITLE}")`);
  await page.waitForURL(/\/mirror\/a\/.+\.html$/);
  assert.equal(await page.locator('main h1').textContent(), REFERENCE_TITLE);
  assert.equal(await page.locator('a.original').getAttribute('href'), REFERENCE_URL);
  assert.match(await page.locator('article.body').textContent() ?? '', /崔善姬周二抵达俄罗斯远东港口城市/);
  // Back up through the header link: relative links all the way.
  await page.click('header a.brand');
  await page.waitForURL(base + 'index.html');
  await page.close();
});

test('an archived image (archive image mode) loads from the site\'s own copy', async () => {
  const r = s.db.prepare("SELECT site, archive_id FROM items WHERE title LIKE '第2条%'").get() as { site: string; archive_id: number };
  const page = await open(`${base}a/${encodeURIComponent(r.site)}/${r.archive_id}.html`);
  assert.equal(await page.locator('main h1').textContent(), '第2条新闻：经济与社会 item 2');
  await page.waitForLoadState('load'); // images included
  assert.equal(await page.locator('article.body img[alt=local]').evaluate((img) => (img as HTMLImageElement).naturalWidth), 1);
  assert.ok(existsSync(path.join(out, 'assets/ab/ab01.png')));
  await page.close();
});

test('the day page lists the day\'s items', async () => {
  const page = await open(`${base}day/index.html`);
  // 1730302743000 is 2024-10-30 23:39 in Asia/Shanghai.
  await page.click('a:text("2024-10-30")');
  await page.waitForURL(/day\/2024-10-30\/index\.html$/);
  assert.equal(await page.locator('h1').textContent(), '2024-10-30');
  const titles: string[] = [];
  for (let p = page; ;) {
    titles.push(...(await p.locator('ul.items li a').allTextContents()));
    if (!(await p.locator('a[rel=next]').count())) break;
    await p.click('a[rel=next]');
  }
  assert.ok(titles.includes(REFERENCE_TITLE));
  await page.close();
});

test('Chinese search in the browser: 外相, 崔善姬 and the Traditional 莫斯科會晤 find the reference item, with no server code', async () => {
  const page = await open(`${base}search.html?q=${encodeURIComponent('外相')}`);
  await page.waitForSelector('#results li');
  assert.deepEqual(await page.locator('#results li a').allTextContents(), [REFERENCE_TITLE]);
  await page.fill('#q', '崔善姬 莫斯科');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => /结果/.test(document.getElementById('status')?.textContent ?? '') && !/搜索中/.test(document.getElementById('status')!.textContent!));
  assert.deepEqual(await page.locator('#results li a').allTextContents(), [REFERENCE_TITLE]);
  // Traditional finds Simplified.
  await page.fill('#q', '莫斯科會晤');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => /^1 条结果/.test(document.getElementById('status')?.textContent ?? ''));
  assert.deepEqual(await page.locator('#results li a').allTextContents(), [REFERENCE_TITLE]);
  await page.fill('#q', '经济');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => /^6 条结果/.test(document.getElementById('status')?.textContent ?? ''));
  await page.fill('#q', '不存在的词语 zzzz');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => /^0 条结果/.test(document.getElementById('status')?.textContent ?? ''));
  assert.equal(await page.locator('#results li').count(), 0);
  // The front page's form leads here; a result leads to the article.
  await page.goto(base);
  await page.fill('input[name=q]', '外相');
  await page.press('input[name=q]', 'Enter');
  await page.waitForSelector('#results li a');
  await page.click('#results li a');
  await page.waitForURL(/\/mirror\/a\/.+\.html$/);
  assert.equal(await page.locator('main h1').textContent(), REFERENCE_TITLE);
  await page.close();
});

test('article content cannot run script', async () => {
  let dialogs = 0;
  const page = await open(base);
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page.click(`ul.items a:text("${HOSTILE_TITLE}")`);
  await page.waitForURL(/\/mirror\/a\/.+\.html$/);
  await page.waitForLoadState('load');
  await page.click('article.body p').catch(() => undefined);
  if (await page.locator('#js').count()) await page.click('#js').catch(() => undefined);
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.equal(dialogs, 0);
  assert.equal(await page.locator('article.body script, article.body iframe[srcdoc], article.body [onerror]').count(), 0);
  const html = await page.locator('article.body').innerHTML();
  assert.doesNotMatch(html, /onerror|javascript:|<script/i);
  assert.match(html, /这篇文章试图运行脚本/);
  await page.close();
});

test('no request left 127.0.0.1 except the article images, which were blocked', () => {
  assert.ok(external.every((u) => /^https:\/\/(images\.weserv\.nl|gdb\.voanews\.com)\//.test(u)), external.join('\n'));
});
