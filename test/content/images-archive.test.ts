// Archive image mode: images downloaded into assets/ of a real archive directory,
// from a real HTTP origin on 127.0.0.1, and referenced relatively from the item file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Fetcher } from '../../src/fetch/index.ts';
import { Archive } from '../../src/archive/index.ts';
import { cleanHtml, localizeImages, rewriteImages } from '../../src/content/index.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]), Buffer.alloc(300, 9), Buffer.from([0xff, 0xd9])]);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

let origin: Server;
let base = '';
let root = '';
const hits = new Map<string, number>();
let fetcher: Fetcher;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'fm-assets-'));
  origin = createServer((req, res) => {
    const p = req.url ?? '';
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const body: Record<string, [string, Buffer]> = {
      '/lead.jpg': ['image/jpeg', JPEG],
      '/chart.png': ['image/png', PNG],
      '/same-bytes.png': ['image/png', PNG],
      '/anim.gif': ['image/gif', GIF],
      '/page.html': ['text/html', Buffer.from('<p>not an image</p>')],
    };
    if (p === '/stream.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      return res.end(JPEG);
    }
    const hit = body[p];
    if (!hit) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': hit[0], 'content-length': hit[1].length }).end(hit[1]);
  });
  await new Promise<void>((ok) => origin.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  fetcher = new Fetcher({ allow: ['127.0.0.1'], proxy: '', perHostIntervalMs: 0 });
});

after(async () => {
  await fetcher.close();
  await new Promise((ok) => origin.close(ok));
  rmSync(root, { recursive: true, force: true });
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const assets = (): string[] =>
  existsSync(join(root, 'assets')) ? readdirSync(join(root, 'assets')).flatMap((d) => readdirSync(join(root, 'assets', d)).map((f) => `assets/${d}/${f}`)).sort() : [];

test('an item with 3 images, one failing: 2 assets, relative references, the failure reported and kept', async () => {
  const archive = new Archive(root);
  const itemDir = `articles/${archive.siteDir('VOA 中文')}`;
  const raw = `<p>lead</p><figure><img src="${base}/lead.jpg" alt="lead"></figure><p>body <img src="${base}/missing.jpg"></p>` +
    `<picture><source srcset="${base}/chart.png 1x"><img src="${base}/chart.png" width="10"></picture>`;
  const cleaned = cleanHtml(raw, { images: { mode: 'archive' } });
  assert.equal(rewriteImages(cleaned, { mode: 'archive' }), cleaned, 'archive mode rewrites nothing on the way out');
  const r = await localizeImages(cleaned, { archiveRoot: root, itemDir, fetcher });

  const lead = `assets/${sha(JPEG).slice(0, 2)}/${sha(JPEG)}.jpg`;
  const chart = `assets/${sha(PNG).slice(0, 2)}/${sha(PNG)}.png`;
  assert.deepEqual(assets(), [lead, chart].sort());
  assert.deepEqual(readFileSync(join(root, lead)), JPEG);
  assert.deepEqual(r.saved, [
    { url: `${base}/lead.jpg`, path: lead, reused: false },
    { url: `${base}/chart.png`, path: chart, reused: false },
  ]);
  assert.equal(r.failed.length, 1);
  assert.equal(r.failed[0].url, `${base}/missing.jpg`);
  assert.match(r.failed[0].error, /HTTP 404/);
  // Only the URLs changed: every other byte is the cleaner's.
  assert.equal(r.html, cleaned.replaceAll(`${base}/lead.jpg`, `../../${lead}`).replaceAll(`${base}/chart.png`, `../../${chart}`));
  assert.ok(r.html.includes(`<img src="${base}/missing.jpg" />`), 'a failure keeps its original URL');

  // Written as an item, each reference resolves from the item file to the asset.
  const { path } = await archive.write('VOA 中文', { title: '图片', url: `${base}/a/1.html`, html: r.html, time: Date.UTC(2026, 0, 2) });
  const text = readFileSync(join(root, path), 'utf8');
  const refs = [...text.matchAll(/(?:src|srcset)="(\.\.\/[^" ]+)/g)].map((m) => m[1]);
  assert.equal(refs.length, 3);
  for (const ref of refs) assert.ok(existsSync(join(root, dirname(path), ref)), ref);

  // Leaving feedmirror (reader, feeds), the relative paths point at where the assets are served.
  const served = rewriteImages(r.html, { mode: 'archive', assetsUrl: '/assets' });
  assert.equal(served, r.html.replaceAll('../../assets/', '/assets/'));
  assert.ok(rewriteImages(r.html, { mode: 'archive', assetsUrl: 'https://mirror.example/assets/' }).includes(`src="https://mirror.example/${lead}"`));
  assert.equal(rewriteImages('<img src="../../assets/../../etc/passwd">', { mode: 'archive', assetsUrl: '/assets' }), '<img src="../../assets/../../etc/passwd">');
});

test('a second item with the same image reuses the asset', async () => {
  const before = assets();
  const r = await localizeImages(`<p><img src="${base}/lead.jpg"></p><p><img src="${base}/same-bytes.png"></p>`, {
    archiveRoot: root, itemDir: 'articles/other-site', fetcher,
  });
  assert.deepEqual(assets(), before, 'no new file: same bytes, same asset');
  assert.deepEqual(r.saved.map((s) => s.reused), [true, true]);
  assert.equal(r.saved[1].path, `assets/${sha(PNG).slice(0, 2)}/${sha(PNG)}.png`, 'another URL with the same bytes shares the file');
  assert.equal(r.failed.length, 0);
  assert.ok(r.html.includes(`src="../../${r.saved[0].path}"`));
});

test('a known-URL map skips the download; non-images, SSRF and huge images are refused like the proxy does', async () => {
  const known = new Map<string, string>();
  const html = `<img src="${base}/anim.gif">`;
  await localizeImages(html, { archiveRoot: root, itemDir: 'articles/x', fetcher, known });
  assert.equal(hits.get('/anim.gif'), 1);
  const again = await localizeImages(html, { archiveRoot: root, itemDir: 'articles/y', fetcher, known });
  assert.equal(hits.get('/anim.gif'), 1);
  assert.deepEqual(again.saved.map((s) => s.reused), [true]);

  const bad = await localizeImages(
    `<img src="${base}/page.html"><img src="http://127.0.0.2:1/x.png"><img src="${base}/stream.jpg"><img src="data:image/png;base64,AAAA"><img src="/relative.png">`,
    { archiveRoot: root, itemDir: 'articles/x', fetcher, maxBytes: 100 },
  );
  assert.deepEqual(bad.failed.map((f) => f.error.replace(/ \(.*/, '')), ['not an image', 'blocked: 127.0.0.2 is a private address', 'image larger than 100 bytes']);
  assert.equal(bad.saved.length, 0);
  assert.ok(bad.html.includes('data:image/png;base64,AAAA') && bad.html.includes('src="/relative.png"'));
  await assert.rejects(localizeImages(html, { archiveRoot: root, itemDir: '../outside', fetcher }), /inside the archive/);
});
