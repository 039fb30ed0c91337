// The image proxy against real HTTP origins on 127.0.0.1: host names are mapped
// there by the fetcher's lookup hook, so Referer rules see real image hosts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Fetcher } from '../../src/fetch/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import {
  cleanHtml, createImageProxy, imageOptions, imageSecret, nodeImageHandler, refererFor, rewriteImages, signImageUrl, sniffImage, verifyImagePath,
  type ImageProxy,
} from '../../src/content/index.ts';

const SECRET = 'test-secret-0123456789abcdef';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]);
/** A PNG padded to `n` bytes (trailing data after IEND is ignored by decoders). */
const png = (n: number, fill: number): Buffer => Buffer.concat([PNG, Buffer.alloc(n - PNG.length, fill)]);

let origin: Server;
let port = 0;
const hits = new Map<string, number>();
const referers: (string | undefined)[] = [];
let dir = '';

function route(req: IncomingMessage): { status?: number; type?: string; body: Buffer | string; chunked?: boolean } {
  const p = (req.url ?? '').split('?')[0];
  switch (p) {
    case '/a.png': return { type: 'image/png', body: PNG };
    case '/octet.png': return { type: 'application/octet-stream', body: PNG };
    case '/photo.jpg': return { type: 'image/jpeg', body: JPEG };
    case '/page.html': return { type: 'text/html; charset=utf-8', body: '<!doctype html><p>hello</p>' };
    case '/fake.png': return { type: 'image/png', body: '<html><script>alert(1)</script></html>' };
    case '/logo.svg': return { type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' };
    case '/svg-as.png': return { type: 'image/png', body: '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' };
    case '/big.jpg': return { type: 'image/jpeg', body: Buffer.concat([JPEG, Buffer.alloc(2 * 1024 * 1024)]) };
    case '/big-chunked.jpg': return { type: 'image/jpeg', body: Buffer.concat([JPEG, Buffer.alloc(2 * 1024 * 1024)]), chunked: true };
    case '/missing.png': return { status: 404, type: 'text/plain', body: 'no' };
    case '/hotlink.jpg':
      // The weibo image CDN's rule: its own site as Referer, or 403.
      return req.headers.referer === 'https://weibo.com/' ? { type: 'image/jpeg', body: JPEG } : { status: 403, type: 'text/plain', body: 'hotlink' };
    case '/noref.jpg':
      // The WeChat CDN's rule: any Referer gets a placeholder, so send none.
      return req.headers.referer === undefined ? { type: 'image/jpeg', body: JPEG } : { status: 403, type: 'text/plain', body: 'referer' };
  }
  const m = /^\/sized\/(\d+)\/(\d+)\.png$/.exec(p);
  if (m) return { type: 'image/png', body: png(Number(m[1]), Number(m[2])) };
  return { status: 404, type: 'text/plain', body: 'no route' };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fm-imgproxy-'));
  origin = createServer((req, res) => {
    const p = (req.url ?? '').split('?')[0];
    hits.set(p, (hits.get(p) ?? 0) + 1);
    referers.push(req.headers.referer);
    const r = route(req);
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
    if (r.chunked) {
      res.writeHead(r.status ?? 200, { 'content-type': r.type ?? '' });
      for (let i = 0; i < body.length; i += 65536) res.write(body.subarray(i, i + 65536));
      res.end();
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': r.type ?? '', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((ok) => origin.listen(0, '127.0.0.1', ok));
  port = (origin.address() as AddressInfo).port;
});

after(async () => {
  await new Promise((ok) => origin.close(ok));
  rmSync(dir, { recursive: true, force: true });
});

const fetchers: Fetcher[] = [];
after(() => Promise.all(fetchers.map((f) => f.close())));

/** A fetcher that reaches 127.0.0.1 (allow-listed) under any host name, and nothing else private. */
function fetcher(): Fetcher {
  const f = new Fetcher({
    allow: ['127.0.0.1'], proxy: '', perHostIntervalMs: 0, perHostConcurrency: 8,
    lookup: async (host) => [{ address: host === 'private.test' ? '10.1.2.3' : '127.0.0.1', family: 4 }],
  });
  fetchers.push(f);
  return f;
}

let n = 0;
function proxy(opts: { cacheMaxBytes?: number; referers?: Record<string, string>; cacheDir?: string } = {}): ImageProxy {
  return createImageProxy({
    secret: SECRET, fetcher: fetcher(), cacheDir: opts.cacheDir ?? join(dir, `cache-${++n}`), maxBytes: 1024 * 1024,
    cacheMaxBytes: opts.cacheMaxBytes, referers: opts.referers,
  });
}

const at = (path: string, host = '127.0.0.1'): string => `http://${host}:${port}${path}`;
const get = (p: ImageProxy, url: string, headers: Record<string, string> = {}) => p({ url: signImageUrl(url, SECRET), headers });
const count = (path: string): number => hits.get(path) ?? 0;

test('signing: round trip, tampering and a wrong key refused', () => {
  const url = at('/a.png');
  const signed = signImageUrl(url, SECRET);
  assert.match(signed, /^\/img\/[A-Za-z0-9_-]{43}\/[A-Za-z0-9_-]+$/);
  assert.equal(verifyImagePath(signed, SECRET), url);
  assert.equal(verifyImagePath(`/mounted/elsewhere${signed}?x=1`, SECRET), url);
  assert.equal(verifyImagePath(signed, `${SECRET}x`), undefined);
  const [, , sig, enc] = signed.split('/');
  const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
  assert.equal(verifyImagePath(`/img/${flipped}/${enc}`, SECRET), undefined);
  const other = Buffer.from(at('/b.png')).toString('base64url');
  assert.equal(verifyImagePath(`/img/${sig}/${other}`, SECRET), undefined);
  assert.equal(verifyImagePath('/img/short/abc', SECRET), undefined);
  assert.equal(verifyImagePath('/img', SECRET), undefined);
});

test('a bad signature is refused with 403 before any fetch', async () => {
  const p = proxy();
  const before = count('/a.png');
  const signed = signImageUrl(at('/a.png'), 'another-secret-0123456789');
  for (const url of [signed, '/img/x/y', '/img/', '', `/img/${'A'.repeat(43)}/${Buffer.from(at('/a.png')).toString('base64url')}`]) {
    const r = await p({ url });
    assert.equal(r.status, 403, url);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['cache-control'], 'no-store');
  }
  assert.equal(count('/a.png'), before);
  assert.equal((await p({ url: signImageUrl(at('/a.png'), SECRET), method: 'POST' })).status, 405);
});

test('serves an image with immutable caching, ETag, nosniff and a CSP; the type comes from the bytes', async () => {
  const p = proxy();
  const r = await get(p, at('/octet.png'));
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, PNG);
  assert.equal(r.headers['content-type'], 'image/png');
  assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['content-security-policy'], "default-src 'none'; sandbox");
  assert.match(r.headers.etag, /^"[A-Za-z0-9_-]{27}"$/);
  assert.equal(r.headers['content-length'], String(PNG.length));
  const again = await get(p, at('/octet.png'), { 'if-none-match': r.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  const head = await p({ url: signImageUrl(at('/octet.png'), SECRET), method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('an SSRF target is refused with 403, even signed', async () => {
  const p = proxy();
  for (const url of [at('/a.png', '127.0.0.2'), at('/a.png', 'localhost'), at('/a.png', 'private.test'), 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/x.png']) {
    const r = await get(p, url);
    assert.equal(r.status, 403, url);
    assert.match(r.body.toString(), /blocked/, url);
  }
  assert.equal((await get(p, 'file:///etc/passwd')).status, 400);
});

test('non-images are refused with 415: text/html, HTML bytes declared image/png, SVG', async () => {
  const p = proxy();
  const html = await get(p, at('/page.html'));
  assert.equal(html.status, 415);
  assert.match(html.body.toString(), /not an image \(text\/html\)/);
  const fake = await get(p, at('/fake.png'));
  assert.equal(fake.status, 415);
  assert.match(fake.body.toString(), /the bytes are no JPEG/);
  for (const svg of ['/logo.svg', '/svg-as.png']) {
    const r = await get(p, at(svg));
    assert.equal(r.status, 415, svg);
    assert.match(r.body.toString(), /SVG/, svg);
  }
  assert.equal(p.cache.size.files, 0, 'nothing refused is cached');
});

test('an oversize body is refused with 413 (declared length, and streamed without one)', async () => {
  const p = proxy();
  for (const path of ['/big.jpg', '/big-chunked.jpg']) {
    const r = await get(p, at(path));
    assert.equal(r.status, 413, path);
    assert.match(r.body.toString(), /^image larger than 1 MiB \(127\.0\.0\.1\)/);
  }
  assert.equal((await get(p, at('/missing.png'))).status, 404);
});

test('a declared Content-Length over the cap raises no uncaught exception (fetcher bug: res.body.destroy() without an error listener; reported)', async () => {
  const errors: unknown[] = [];
  const catcher = (e: unknown): void => void errors.push(e);
  process.on('uncaughtException', catcher);
  try {
    // A small body arrives whole with the headers; destroying it then emits "Request aborted" with no listener.
    const p = createImageProxy({ secret: SECRET, fetcher: fetcher(), cacheDir: join(dir, 'cl-cache'), maxBytes: 100 });
    for (let i = 0; i < 3; i++) assert.equal((await get(p, at(`/photo.jpg?${i}`))).status, 413);
    await new Promise((ok) => setTimeout(ok, 100));
  } finally {
    process.off('uncaughtException', catcher);
  }
  assert.deepEqual(errors.map((e) => (e as Error).message), []);
});

test('a cache hit costs no fetch; concurrent misses share one; the cache survives a restart', async () => {
  const cacheDir = join(dir, 'shared-cache');
  const p = proxy({ cacheDir });
  const url = at('/sized/900/1.png');
  const first = await get(p, url);
  assert.equal(first.status, 200);
  assert.equal(count('/sized/900/1.png'), 1);
  for (let i = 0; i < 3; i++) {
    const r = await get(p, url);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, first.body);
    assert.equal(r.headers.etag, first.headers.etag);
  }
  assert.equal(count('/sized/900/1.png'), 1);
  const burst = await Promise.all(Array.from({ length: 6 }, () => get(p, at('/sized/901/2.png'))));
  assert.ok(burst.every((r) => r.status === 200));
  assert.equal(count('/sized/901/2.png'), 1);
  // A new process on the same directory.
  const q = proxy({ cacheDir });
  assert.equal((await get(q, url)).status, 200);
  assert.equal(count('/sized/900/1.png'), 1);
  // A torn file is dropped and fetched again, not served.
  const sub = readdirSync(cacheDir).find((d) => /^[0-9a-f]{2}$/.test(d))!;
  const file = join(cacheDir, sub, readdirSync(join(cacheDir, sub))[0]);
  writeFileSync(file, 'FMIMG1 image/png "x"\n<html>');
  const r = createImageProxy({ secret: SECRET, fetcher: fetcher(), cacheDir });
  const before = count('/sized/900/1.png') + count('/sized/901/2.png');
  for (const u of [url, at('/sized/901/2.png')]) assert.equal((await get(r, u)).status, 200);
  assert.equal(count('/sized/900/1.png') + count('/sized/901/2.png'), before + 1);
});

test('Referer rules: built-in for weibo and WeChat hosts, from config for others, none by default', async () => {
  const p = proxy({ referers: { 'example.org': 'https://www.example.org/' } });
  referers.length = 0;
  assert.equal((await get(p, at('/hotlink.jpg', 'wx1.sinaimg.cn'))).status, 200);
  assert.deepEqual(referers, ['https://weibo.com/']);
  referers.length = 0;
  assert.equal((await get(p, at('/noref.jpg', 'mmbiz.qpic.cn'))).status, 200);
  assert.deepEqual(referers, [undefined]);
  referers.length = 0;
  assert.equal((await get(p, at('/a.png', 'img.news.example.org'))).status, 200);
  assert.equal((await get(p, at('/a.png', 'cdn.example.com'))).status, 200);
  assert.deepEqual(referers, ['https://www.example.org/', undefined]);
  // Without the rule the weibo CDN refuses: the origin really checks.
  const bare = proxy({ referers: { 'sinaimg.cn': '' } });
  assert.equal((await get(bare, at('/hotlink.jpg', 'wx2.sinaimg.cn'))).status, 502);
  assert.equal(refererFor('https://notsinaimg.cn/x.jpg'), '');
  assert.equal(refererFor('https://tva1.sinaimg.cn/x.jpg'), 'https://weibo.com/');
});

test('cache eviction: the least recently used file goes when the size limit is passed', async () => {
  const cacheDir = join(dir, 'small-cache');
  const p = proxy({ cacheDir, cacheMaxBytes: 3000 });
  const [a, b, c] = ['/sized/1200/11.png', '/sized/1200/12.png', '/sized/1200/13.png'];
  await get(p, at(a));
  await get(p, at(b));
  await get(p, at(a)); // a is now more recent than b
  assert.equal(count(a), 1);
  await get(p, at(c)); // 3 × ~1250 bytes > 3000: b goes
  assert.equal(p.cache.size.files, 2);
  assert.ok(p.cache.size.bytes <= 3000);
  const files = readdirSync(cacheDir).filter((d) => /^[0-9a-f]{2}$/.test(d)).flatMap((d) => readdirSync(join(cacheDir, d)));
  assert.equal(files.length, 2);
  await get(p, at(a));
  await get(p, at(c));
  assert.deepEqual([count(a), count(c)], [1, 1]);
  await get(p, at(b));
  assert.equal(count(b), 2);
  // An image larger than the whole cache is served, not cached.
  const huge = await get(p, at('/sized/5000/14.png'));
  assert.equal(huge.status, 200);
  assert.ok(p.cache.size.bytes <= 3000);
});

test('proxy mode rewrites through cleanHtml and rewriteImages; the rewritten src is served', async () => {
  const opts = { mode: 'proxy' as const, secret: SECRET };
  const src = at('/photo.jpg');
  const html = `<p>x</p><img src="${src}" srcset="${src} 1x, //cdn.example.com/b.jpg 2x"><img src="data:image/png;base64,AAAA"><a href="${src}">link</a>`;
  const cleaned = cleanHtml(html, { images: opts });
  const m = /<img src="([^"]+)"/.exec(cleaned)!;
  assert.equal(m[1], signImageUrl(src, SECRET));
  assert.ok(cleaned.includes(signImageUrl('https://cdn.example.com/b.jpg', SECRET) + ' 2x'));
  assert.ok(cleaned.includes(`href="${src}"`), 'links are not images');
  assert.ok(cleaned.includes('data:image/png;base64,AAAA'));
  // Idempotent, and the string form only touches image attributes.
  assert.equal(rewriteImages(cleaned, opts), cleaned);
  const raw = rewriteImages(html, opts);
  assert.equal(raw.replace(/\/img\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+/g, 'U'), html.replace(src, 'U').replace(src, 'U').replace('//cdn.example.com/b.jpg', 'U'));
  assert.ok(rewriteImages(html, { mode: 'proxy', secret: SECRET, prefix: 'https://mirror.example/img' }).includes('src="https://mirror.example/img/'));
  assert.throws(() => rewriteImages(html, { mode: 'proxy', secret: 'short' }), /16 characters/);
  assert.throws(() => rewriteImages(html, { mode: 'proxy', secret: SECRET, prefix: '//evil' }), /prefix/);
  const served = await proxy()({ url: m[1].replace(/&amp;/g, '&') });
  assert.equal(served.status, 200);
  assert.deepEqual(served.body, JPEG);
});

test('over node:http: the handler as a listener', async (t) => {
  const p = proxy();
  const server = createServer(nodeImageHandler(p));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => new Promise((ok) => server.close(ok)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ok = await fetch(base + signImageUrl(at('/photo.jpg'), SECRET));
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'image/jpeg');
  assert.deepEqual(Buffer.from(await ok.arrayBuffer()), JPEG);
  const bad = await fetch(`${base}/img/nope/nope`);
  assert.equal(bad.status, 403);
  await bad.arrayBuffer();
});

test('magic bytes and the secret file', () => {
  assert.equal(sniffImage(PNG)?.type, 'image/png');
  assert.equal(sniffImage(JPEG)?.type, 'image/jpeg');
  assert.equal(sniffImage(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00'))?.type, 'image/gif');
  assert.equal(sniffImage(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '))?.type, 'image/webp');
  assert.equal(sniffImage(Buffer.from('\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1', 'latin1'))?.type, 'image/avif');
  assert.equal(sniffImage(Buffer.from('\x00\x00\x00\x1cftypheic\x00\x00\x00\x00mif1heic', 'latin1')), undefined);
  assert.equal(sniffImage(Buffer.from('BMW is a car brand, not a bitmap')), undefined);
  assert.equal(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
  const data = join(dir, 'data');
  const s = imageSecret({ dataDir: data });
  assert.ok(s.length >= 40);
  assert.equal(imageSecret({ dataDir: data }), s);
  assert.equal(statSync(join(data, 'image-proxy.secret')).mode & 0o777, 0o600);
  assert.equal(imageSecret({ dataDir: data, secret: SECRET }), SECRET);
  assert.throws(() => imageSecret({ dataDir: data, secret: 'short' }), /16 characters/);
});

test('config: images settings validated, env overrides, and imageOptions for the rewrite', () => {
  const data = join(dir, 'cfg');
  const file = join(dir, 'cfg.json');
  const load = (json: unknown, env: Record<string, string> = {}) => {
    writeFileSync(file, JSON.stringify({ dataDir: data, ...(json as object) }));
    return loadConfig({ configFile: file, env });
  };
  const c = load({ images: { mode: 'proxy', proxy: { cacheMaxBytes: '64MiB', maxBytes: 5_000_000, referers: { '.Example.org': 'https://example.org/' } } } });
  assert.equal(c.images.mode, 'proxy');
  assert.deepEqual(c.images.proxy, { prefix: '/img', cacheMaxBytes: 64 << 20, maxBytes: 5_000_000, referers: { 'example.org': 'https://example.org/' }, cacheDir: join(data, 'image-cache') });
  assert.equal(c.imageTemplate, undefined);
  const opts = imageOptions(c.images, c.dataDir);
  assert.ok(opts.mode === 'proxy' && opts.secret === imageSecret({ dataDir: data }), 'the generated secret is used');
  assert.match(rewriteImages('<img src="https://a.example/x.jpg">', opts), /^<img src="\/img\/[A-Za-z0-9_-]{43}\/[A-Za-z0-9_-]+">$/);
  assert.equal(load({ images: { mode: 'proxy' } }, { FEEDMIRROR_IMAGE_SECRET: SECRET }).images.proxy.secret, SECRET);
  assert.equal(load({}, { FEEDMIRROR_IMAGE_MODE: 'archive' }).images.mode, 'archive');
  // The flat imageTemplate of older configs is template mode.
  const legacy = load({ imageTemplate: 'https://images.weserv.nl?url={url_noscheme}' });
  assert.deepEqual([legacy.images.mode, legacy.images.template, legacy.imageTemplate], ['template', 'https://images.weserv.nl?url={url_noscheme}', 'https://images.weserv.nl?url={url_noscheme}']);
  assert.equal(load({ contentRules: [{ name: 'promo', selector: '.promo' }] }).contentRules[0].selector, '.promo');
  const bad: [unknown, RegExp][] = [
    [{ images: { mode: 'mirror' } }, /images\.mode: expected one of none, template, proxy, archive/],
    [{ images: { mode: 'template' } }, /needs images\.template/],
    [{ images: { template: 'https://x.example/' } }, /images\.template: image template needs one of/],
    [{ images: { proxy: { secret: 'short' } } }, /images\.proxy\.secret: expected a secret of at least 16 characters/],
    [{ images: { proxy: { prefix: '//evil.example' } } }, /images\.proxy\.prefix/],
    [{ images: { proxy: { cacheMaxBytes: 'lots' } } }, /images\.proxy\.cacheMaxBytes: expected a size/],
    [{ images: { proxy: { referers: { 'sinaimg.cn': 'javascript:alert(1)' } } } }, /images\.proxy\.referers\.sinaimg\.cn: expected an http\(s\) URL/],
    [{ images: { proxy: { cache: 1 } } }, /images\.proxy: unknown setting "cache"/],
    [{ contentRules: [{ selector: '[[' }] }, /contentRules: content rule #1/],
  ];
  for (const [json, re] of bad) assert.throws(() => load(json), re, JSON.stringify(json));
});
