import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extractPages, parseFtrConfig } from '../../src/extract/index.ts';

const para = (n: number, page: number) =>
  `<p>第${page}页第${n}段：这是一篇分成多页的长篇报道，每一页都有若干段落，需要全部拼接起来才能读到完整的内容。</p>`;
const page = (n: number, last: number, next: string) => `<html><head><title>长篇报道_某网</title></head><body>
  <h1>长篇报道</h1><div class="article-content">${para(1, n)}${para(2, n)}${para(3, n)}</div>
  <div class="pages">${n < last ? `<a href="${next}">下一页</a>` : ''}</div>
  <div class="hot"><a href="/other.html">其他新闻标题很长很长的链接一</a><a href="/other2.html">其他新闻标题很长很长的链接二</a></div>
</body></html>`;

let server: Server;
let base = '';
const hits: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    hits.push(url);
    const send = (html: string, status = 200) => { res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }); res.end(html); };
    const m = url.match(/^\/news\/100(?:_(\d))?\.html$/);
    if (m) return send(page(m[1] ? Number(m[1]) : 1, 3, `/news/100_${(m[1] ? Number(m[1]) : 1) + 1}.html`));
    if (url === '/loop/a.html') return send(page(1, 9, '/loop/a_2.html'));
    if (url === '/loop/a_2.html') return send(page(2, 9, '/loop/a.html'));
    if (url === '/broken/b.html') return send(page(1, 3, '/broken/b_2.html'));
    if (url === '/print/c.html') return send(page(1, 3, '/print/c_2.html').replace('<div class="pages">', '<a class="print" href="/print/c_all.html">全文</a><div class="pages">'));
    if (url === '/print/c_all.html') return send(page(1, 1, '').replace('<div class="article-content">', '<div class="article-content">' + para(9, 9)));
    send('not found', 404);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

async function fetchPage(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}

test('pages joined through 下一页 links, in order, without the sidebar', async () => {
  const url = `${base}/news/100.html`;
  const first = await fetchPage(url);
  const a = await extractPages(first, { url, fetchPage });
  assert.deepEqual(a.pages, [url, `${base}/news/100_2.html`, `${base}/news/100_3.html`]);
  const lines = a.text.split('\n');
  assert.equal(lines.length, 9);
  assert.deepEqual(lines.map((l) => l.slice(0, 6)), ['第1页第1段', '第1页第2段', '第1页第3段', '第2页第1段', '第2页第2段', '第2页第3段', '第3页第1段', '第3页第2段', '第3页第3段']);
  assert.ok(!a.text.includes('其他新闻'));
  assert.equal((a.html.match(/第\d页第1段/g) ?? []).length, 3);
  assert.equal(a.title, '长篇报道');
});

test('maxPages bounds the join; without fetchPage only the first page is used', async () => {
  const url = `${base}/news/100.html`;
  const first = await fetchPage(url);
  assert.equal((await extractPages(first, { url, fetchPage, maxPages: 2 })).pages.length, 2);
  const alone = await extractPages(first, { url });
  assert.deepEqual(alone.pages, [url]);
  assert.equal(alone.nextPage, `${base}/news/100_2.html`);
});

test('a next-page loop stops at the first repeated URL', async () => {
  const url = `${base}/loop/a.html`;
  hits.length = 0;
  const a = await extractPages(await fetchPage(url), { url, fetchPage });
  assert.deepEqual(a.pages, [url, `${base}/loop/a_2.html`]);
  assert.ok(hits.filter((h) => h === '/loop/a.html').length <= 1);
});

test('a failing next page keeps the pages so far', async () => {
  const url = `${base}/broken/b.html`;
  const a = await extractPages(await fetchPage(url), { url, fetchPage });
  assert.deepEqual(a.pages, [url]);
  assert.equal(a.text.split('\n').length, 3);
});

test('a site rule single_page_link replaces the paged version', async () => {
  const url = `${base}/print/c.html`;
  const rule = parseFtrConfig('single_page_link: //a[@class="print"]\n', '127.0.0.1');
  const a = await extractPages(await fetchPage(url), { url, fetchPage, rules: [rule] });
  assert.deepEqual(a.pages, [`${base}/print/c_all.html`]);
  assert.ok(a.text.includes('第9页第9段'));
});
