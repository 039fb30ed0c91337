// The web reader end to end in headless Chromium (Debian's, driven by
// playwright-core): log in, read, star, keyboard, search in Chinese, add a
// subscription by discovery from a local page, import OPML, and hostile content
// that must run nothing. Saves the screenshot docs/screenshot.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Archive } from '../../src/archive/index.ts';
import { archiveRoot } from '../../src/mirror/index.ts';
import { startServer, type ServerHandle } from '../../src/server/index.ts';
import { HOSTILE_TITLE, REFERENCE_TITLE, seed, type Seeded } from '../server/seed.ts';

const PASSWORD = 'browser test password';
const SCREENSHOT = new URL('../../docs/screenshot.png', import.meta.url);

// Stands in for remote images (the reference item's go through images.weserv.nl): tests never touch the network.
const PLACEHOLDER = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="506" viewBox="0 0 900 506">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#5b6b7f"/><stop offset="1" stop-color="#2c3440"/></linearGradient></defs>
<rect width="900" height="506" fill="url(#g)"/><circle cx="300" cy="200" r="70" fill="#8796a8"/><circle cx="600" cy="200" r="70" fill="#8796a8"/>
<rect x="180" y="300" width="540" height="160" rx="20" fill="#7a889a"/></svg>`;

const SITE_PAGE = `<!doctype html><html><head><title>本地新闻</title>
<link rel="alternate" type="application/rss+xml" title="本地新闻 RSS" href="/feed.xml"></head><body><h1>本地新闻</h1></body></html>`;
const SITE_FEED = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>本地新闻</title><link>/</link>
<item><title>本地的一条新闻</title><link>https://local.example/1</link><description>正文</description></item></channel></rss>`;
const OPML = `<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>import</title></head><body>
<outline text="新闻" title="新闻">
  <outline type="rss" text="端传媒" title="端传媒" xmlUrl="https://theinitium.example/rss.xml" htmlUrl="https://theinitium.example/"/>
  <outline type="rss" text="自由亚洲电台" title="自由亚洲电台" xmlUrl="https://rfa.example/feed.xml"/>
</outline></body></opml>`;

describe('the web reader in Chromium', () => {
  let s: Seeded;
  let server: ServerHandle;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const offsite: string[] = [];
  const errors: string[] = [];
  const dialogs: string[] = [];

  before(async () => {
    s = await seed({ extra: 6 });
    // A hostile file as if hand-edited into the archive: the reader must sanitize on the way out too.
    const row = s.db.prepare('SELECT path, url, time FROM items WHERE id = ?').get(s.ids.get(HOSTILE_TITLE)) as { path: string; url: string; time: number };
    await new Archive(archiveRoot(s.config)).update(row.path, {
      time: row.time, title: HOSTILE_TITLE, url: row.url,
      html: '<p>这篇文章试图运行脚本。</p><img src="x" onerror="window.__pwned = 1"><script>window.__pwned = 2</script><a id="js" href="javascript:window.__pwned=3">点我</a><svg><script>window.__pwned=4</script></svg><iframe src="javascript:parent.__pwned=5"></iframe><div onmouseover="window.__pwned=6">悬停</div>',
    });
    site = createServer((req, res) => {
      if (req.url === '/feed.xml') res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(SITE_FEED);
      else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(SITE_PAGE);
    });
    await new Promise<void>((ok) => site.listen(0, '127.0.0.1', ok));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/news/`;
    server = await startServer(s.config, s.db, { port: 0, adminPassword: PASSWORD, log: (l) => errors.push(l) });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN', colorScheme: 'light' });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server.url)) return route.continue();
      offsite.push(url);
      if (route.request().resourceType() === 'image') return route.fulfill({ status: 200, contentType: 'image/svg+xml', body: PLACEHOLDER });
      return route.abort();
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((ok) => site?.close(ok));
    s?.cleanup();
  });

  const state = (id: number): { read: number; starred: number } | undefined =>
    s.db.prepare('SELECT read, starred FROM item_state WHERE item_id = ?').get(id) as { read: number; starred: number } | undefined;

  test('log in', async () => {
    await page.goto(server.url + '/');
    assert.match(page.url(), /\/login\?next=%2F$/);
    await page.fill('input[name="password"]', 'not the password');
    await page.click('button[type="submit"].primary');
    await page.waitForSelector('.error');
    assert.match(await page.textContent('.error') ?? '', /Wrong password/);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(server.url + '/'), page.click('button[type="submit"].primary')]);
    assert.equal(await page.locator('.entries .entry').count(), 8);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'fm_session');
    assert.ok(session?.httpOnly && session.sameSite === 'Lax');
    assert.equal(await page.evaluate(() => document.cookie.includes('fm_session')), false, 'script cannot read the session');
  });

  test('keyboard: j/k move, s stars, m marks read, o opens', async () => {
    await page.goto(server.url + '/');
    const entries = page.locator('.entries .entry');
    const firstId = Number(await entries.nth(0).getAttribute('data-id'));
    await page.keyboard.press('j');
    assert.equal(await page.locator('.entry.current').getAttribute('data-id'), String(firstId));
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    assert.equal(await page.locator('.entry.current').getAttribute('data-id'), await entries.nth(2).getAttribute('data-id'));
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    assert.equal(await page.locator('.entry.current').getAttribute('data-id'), String(firstId));
    await page.keyboard.press('s');
    await page.waitForSelector(`.entry[data-id="${firstId}"][data-starred="true"]`);
    assert.equal(state(firstId)?.starred, 1);
    assert.equal(await page.locator(`.entry[data-id="${firstId}"] button.star`).textContent(), '★');
    await page.keyboard.press('m');
    await page.waitForSelector(`.entry[data-id="${firstId}"][data-read="true"]`);
    assert.equal(state(firstId)?.read, 1);
    await page.keyboard.press('m');
    await page.waitForSelector(`.entry[data-id="${firstId}"][data-read="false"]`);
    assert.equal(state(firstId)?.read, 0);
    await Promise.all([page.waitForURL(`${server.url}/item/${firstId}`), page.keyboard.press('o')]);
    // Opening it marked it read.
    await page.waitForSelector('article.item[data-read="true"]');
    assert.equal(state(firstId)?.read, 1);
    // On an article, j goes to the next (older) one.
    const older = await page.getAttribute('a[rel="next"]', 'href');
    assert.ok(older);
    await Promise.all([page.waitForURL(server.url + older), page.keyboard.press('j')]);
    await page.keyboard.press('?');
    assert.equal(await page.locator('dialog#help').evaluate((d) => (d as HTMLDialogElement).open), true);
    await page.keyboard.press('Escape');
  });

  test('read an item and star it with the button', async () => {
    const id = s.ids.get(REFERENCE_TITLE)!;
    await page.goto(`${server.url}/site/${encodeURIComponent('美国之音')}`);
    await Promise.all([page.waitForURL(`${server.url}/item/${id}`), page.click(`a[href="/item/${id}"]`)]);
    assert.equal(await page.textContent('article.item h1'), REFERENCE_TITLE);
    const content = await page.textContent('.content') ?? '';
    assert.match(content, /崔善姬/);
    assert.match(content, /拉夫罗夫/);
    assert.equal(await page.getAttribute('a.original', 'href'), s.db.prepare('SELECT url FROM items WHERE id = ?').pluck().get(id));
    assert.match(await page.getAttribute('a[href^="https://web.archive.org/web/*/"]', 'href') ?? '', /voachinese\.com/);
    assert.equal(await page.locator('a[href^="https://archive.ph/"]').count(), 1);
    await page.click('article.item button.star');
    await page.waitForSelector('article.item[data-starred="true"]');
    assert.equal(state(id)?.starred, 1);
    await page.waitForSelector('article.item[data-read="true"]');
    assert.equal(state(id)?.read, 1);
    // The image went to the image proxy (answered locally here), nowhere else.
    assert.ok(offsite.some((u) => u.startsWith('https://images.weserv.nl')));
    assert.ok(offsite.every((u) => u.startsWith('https://images.weserv.nl')), offsite.join(' '));
    await page.evaluate(() => document.fonts.ready);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    mkdirSync(new URL('.', SCREENSHOT), { recursive: true });
    writeFileSync(SCREENSHOT, await page.screenshot({ type: 'png' }));
    const starred = await page.goto(server.url + '/starred');
    assert.equal(starred?.status(), 200);
    assert.ok(await page.locator(`.entry[data-id="${id}"]`).count());
  });

  test('search in Chinese: / then 外相 finds the reference item, highlighted', async () => {
    await page.goto(server.url + '/');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'q');
    await page.keyboard.type('外相');
    await Promise.all([page.waitForURL(/\/search\?q=/), page.keyboard.press('Enter')]);
    const hit = page.locator(`.entry[data-id="${s.ids.get(REFERENCE_TITLE)}"]`);
    assert.equal(await hit.count(), 1);
    assert.equal(await hit.locator('mark').first().textContent(), '外相');
  });

  test('dark mode toggle is remembered', async () => {
    await page.click('#theme');
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    await page.reload();
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(21, 23, 26)');
    await page.click('#theme');
    assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  });

  test('add a subscription from a local page (discovery)', async () => {
    await page.goto(server.url + '/subscriptions');
    await page.fill('#add-form input[name="url"]', siteUrl);
    await Promise.all([page.waitForURL(/\/subscriptions\?added=\d+$/), page.click('#add-form button[type="submit"]')]);
    const notice = await page.textContent('.notice') ?? '';
    assert.match(notice, /已添加 Added: 本地新闻 </);
    const feed = siteUrl.replace('/news/', '/feed.xml');
    assert.match(await page.textContent('table.subs') ?? '', new RegExp(feed.replace(/[.?]/g, '\\$&')));
    assert.equal(s.db.prepare('SELECT count(*) FROM feeds WHERE url = ?').pluck().get(feed), 1);
    // A page without a feed: a clear error, nothing added.
    await page.fill('#add-form input[name="url"]', server.url.replace(/:\d+$/, ':1') + '/');
    await page.click('#add-form button[type="submit"]');
    await page.waitForSelector('.error');
    assert.match(await page.textContent('.error') ?? '', /Cannot add/);
  });

  test('import an OPML file, then export it', async () => {
    await page.goto(server.url + '/subscriptions');
    await page.setInputFiles('#import-form input[type="file"]', { name: 'feeds.opml', mimeType: 'text/x-opml', buffer: Buffer.from(OPML) });
    await Promise.all([page.waitForURL(/imported=2/), page.click('#import-form button[type="submit"]')]);
    assert.match(await page.textContent('.notice') ?? '', /Imported 2 feeds; 0 already subscribed/);
    const table = await page.textContent('table.subs') ?? '';
    assert.match(table, /端传媒/);
    assert.match(table, /自由亚洲电台/);
    const opml = await page.evaluate(async () => (await fetch('/subscriptions/export.opml')).text());
    assert.match(opml, /xmlUrl="https:\/\/theinitium\.example\/rss\.xml"/);
  });

  test('edit and remove a subscription', async () => {
    await page.goto(server.url + '/subscriptions');
    await Promise.all([page.waitForURL(/\/subscriptions\/\d+$/), page.locator('tr', { hasText: '端传媒' }).locator('a', { hasText: 'Edit' }).click()]);
    await page.fill('input[name="category"]', '香港');
    await page.fill('input[name="minInterval"]', '30m');
    await Promise.all([page.waitForURL(/saved=1/), page.click('form.edit button[type="submit"]')]);
    assert.match(await page.locator('tr', { hasText: '端传媒' }).textContent() ?? '', /\[香港\]/);
    await page.locator('tr', { hasText: '端传媒' }).locator('a', { hasText: 'Edit' }).click();
    await page.fill('input[name="minInterval"]', 'soon');
    await page.click('form.edit button[type="submit"]');
    assert.match(await page.textContent('.error') ?? '', /invalid duration/);
    await Promise.all([page.waitForURL(/removed=1/), page.click('form[action$="/remove"] button')]);
    assert.doesNotMatch(await page.textContent('table.subs') ?? '', /端传媒/);
  });

  test('hostile content runs nothing: sanitizer plus CSP', async () => {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${server.url}/item/${s.ids.get(HOSTILE_TITLE)}`);
    assert.match(await page.textContent('.content') ?? '', /这篇文章试图运行脚本/);
    await page.hover('.content');
    await page.locator('.content div', { hasText: '悬停' }).hover().catch(() => undefined);
    const html = await page.innerHTML('.content');
    assert.doesNotMatch(html, /<script|onerror|onmouseover|javascript:/i);
    // Even markup that got past the sanitizer could not run inline script: the CSP refuses it.
    await page.evaluate(() => {
      const el = document.createElement('script');
      el.textContent = 'window.__pwned = 7';
      document.body.append(el);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__pwned = 8');
      img.src = 'data:,x';
      document.body.append(img);
    });
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.ok(violations.length >= 1, 'the browser reported the refused inline script');
    assert.deepEqual(dialogs, []);
  });

  test('a phone-sized screen: no horizontal scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true });
    await phone.route('**/*', (route) => (route.request().url().startsWith(server.url) ? route.continue() : route.abort()));
    await phone.addCookies((await context.cookies()).filter((c) => c.name === 'fm_session'));
    const p = await phone.newPage();
    await p.goto(`${server.url}/item/${s.ids.get(REFERENCE_TITLE)}`);
    const widths = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(widths[0] <= widths[1], `page ${widths[0]}px wide in a ${widths[1]}px screen`);
    const lh = await p.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.content')!).lineHeight) / parseFloat(getComputedStyle(document.querySelector('.content')!).fontSize));
    assert.ok(lh >= 1.7 && lh <= 1.9, `line height ${lh}`);
    await phone.close();
    assert.deepEqual(errors, []);
  });
});
