import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_USER_AGENT, Fetcher } from '../../src/fetch/index.ts';
import { closedPort, serve, text, type Served } from './helpers.ts';

describe('fetch: HTTP semantics', () => {
  let s: Served;
  const fetcher = new Fetcher({ allow: ['127.0.0.1'], perHostIntervalMs: 0, perHostConcurrency: 8 });

  before(async () => {
    s = await serve({
      '/feed': (req, res) => {
        if (req.headers['if-none-match'] === '"v1"' || req.headers['if-modified-since'] === 'Wed, 01 Jan 2025 00:00:00 GMT') {
          res.writeHead(304, { etag: '"v1"' });
          return res.end();
        }
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"', 'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT' });
        res.end('<rss/>');
      },
      '/bare304': (_req, res) => { res.writeHead(304); res.end(); },
      '/echo': (req, res) => { res.writeHead(200); res.end(JSON.stringify(req.headers)); },
      '/to-echo': (_req, res) => { res.writeHead(302, { location: '/echo' }); res.end(); },
      '/to-other': (_req, res) => { res.writeHead(302, { location: `http://other.test:${s.port}/echo` }); res.end(); },
      '/r301': (_req, res) => { res.writeHead(301, { location: '/r308' }); res.end(); },
      '/r308': (_req, res) => { res.writeHead(308, { location: '/feed' }); res.end(); },
      '/r302': (_req, res) => { res.writeHead(302, { location: '/feed' }); res.end('moved'); },
      '/r303': (_req, res) => { res.writeHead(303, { location: '/feed' }); res.end(); },
      '/r307': (_req, res) => { res.writeHead(307, { location: `${s.origin}/feed` }); res.end(); },
      '/mixed': (_req, res) => { res.writeHead(301, { location: '/r302' }); res.end(); },
      '/loopA': (_req, res) => { res.writeHead(302, { location: '/loopB' }); res.end(); },
      '/loopB': (_req, res) => { res.writeHead(302, { location: '/loopA#x' }); res.end(); },
      '*': (req, res) => {
        const m = /^\/hop(\d+)$/.exec(req.url ?? '');
        if (m) { res.writeHead(302, { location: `/hop${Number(m[1]) + 1}` }); return res.end(); }
        res.writeHead(404); res.end();
      },
      '/ftp': (_req, res) => { res.writeHead(302, { location: 'ftp://example.com/x' }); res.end(); },
      '/429': (_req, res) => { res.writeHead(429, { 'retry-after': '120' }); res.end('slow down'); },
      '/503date': (_req, res) => {
        res.writeHead(503, { 'retry-after': new Date(Date.now() + 90_000).toUTCString() });
        res.end();
      },
      '/500': (_req, res) => { res.writeHead(500); res.end('boom'); },
      '/latin1': (_req, res) => {
        // Declared UTF-8, actually ISO-8859-1: bytes must come through untouched.
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(Buffer.from([0x3c, 0x61, 0x3e, 0xe9, 0xe8, 0x3c, 0x2f, 0x61, 0x3e]));
      },
      '/reset': (req) => { req.socket.destroy(); },
      '/garbage': (req) => { req.socket.end('NOT HTTP AT ALL\r\n\r\n'); },
    });
  });
  after(async () => { await fetcher.close(); await s.close(); });

  it('200 returns body, validators and a feedmirror User-Agent', async () => {
    const r = await fetcher.fetch({ url: `${s.origin}/feed` });
    assert.equal(r.ok, true);
    assert.equal(r.status, 200);
    assert.equal(text(r.body), '<rss/>');
    assert.equal(r.contentType, 'application/rss+xml');
    assert.equal(r.etag, '"v1"');
    assert.equal(r.lastModified, 'Wed, 01 Jan 2025 00:00:00 GMT');
    assert.equal(r.notModified, false);
    assert.ok(r.elapsedMs >= 0 && r.elapsedMs < 5000);
    assert.equal(s.log.at(-1)!.headers['user-agent'], DEFAULT_USER_AGENT);
    assert.match(DEFAULT_USER_AGENT, /^feedmirror\/0\.1 \(\+https:\/\/github\.com\/feedmirror\/feedmirror\)$/);
  });

  it('sends If-None-Match and If-Modified-Since; 304 → notModified without body', async () => {
    const r = await fetcher.fetch({ url: `${s.origin}/feed`, etag: '"v1"' });
    assert.equal(r.status, 304);
    assert.equal(r.ok, true);
    assert.equal(r.notModified, true);
    assert.equal(r.body, undefined);
    assert.equal(s.log.at(-1)!.headers['if-none-match'], '"v1"');
    const r2 = await fetcher.fetch({ url: `${s.origin}/feed`, lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT' });
    assert.equal(r2.notModified, true);
    assert.equal(s.log.at(-1)!.headers['if-modified-since'], 'Wed, 01 Jan 2025 00:00:00 GMT');
  });

  it('a 304 without validators keeps the ones sent', async () => {
    const r = await fetcher.fetch({ url: `${s.origin}/bare304`, etag: 'W/"a"', lastModified: 'x' });
    assert.equal(r.notModified, true);
    assert.equal(r.etag, 'W/"a"');
    assert.equal(r.lastModified, 'x');
  });

  it('sends caller headers and user agent, refuses framing headers and CRLF injection', async () => {
    const r = await fetcher.fetch({
      url: `${s.origin}/echo`, userAgent: 'custom/1', accept: 'image/*',
      headers: { Cookie: 'a=b', Host: 'evil.example', 'Transfer-Encoding': 'chunked' },
    });
    const h = JSON.parse(text(r.body)!);
    assert.equal(h['user-agent'], 'custom/1');
    assert.equal(h.accept, 'image/*');
    assert.equal(h.cookie, 'a=b');
    assert.equal(h.host, `127.0.0.1:${s.port}`);
    assert.match(h['accept-encoding'], /gzip, deflate, br/);
    const bad = await fetcher.fetch({ url: `${s.origin}/echo`, headers: { 'X-A': 'x\r\nInjected: 1' } });
    assert.equal(bad.ok, false);
    assert.equal(bad.error?.kind, 'other');
    assert.match(bad.error!.message, /invalid request header/);
  });

  it('URL credentials become Basic auth and stay out of the result', async () => {
    const r = await fetcher.fetch({ url: `http://me:s%40cret@127.0.0.1:${s.port}/echo` });
    assert.equal(r.url, `${s.origin}/echo`);
    const failed = await fetcher.fetch({ url: `http://me:s%40cret@127.0.0.1:1/x`, proxy: 'socks4://x' });
    assert.equal(failed.url, 'http://127.0.0.1:1/x');
    const h = JSON.parse(text(r.body)!);
    assert.equal(h.authorization, `Basic ${Buffer.from('me:s@cret').toString('base64')}`);
  });

  it('drops Cookie and Authorization on a redirect to another origin', async () => {
    const f = new Fetcher({
      allow: ['127.0.0.1', 'other.test'], perHostIntervalMs: 0,
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const same = await f.fetch({ url: `${s.origin}/to-echo`, headers: { cookie: 'c=1', authorization: 'Bearer t' } });
    assert.equal(JSON.parse(text(same.body)!).cookie, 'c=1', 'same origin keeps them');
    const r = await f.fetch({ url: `${s.origin}/to-other`, headers: { cookie: 'c=1', authorization: 'Bearer t', 'x-keep': 'y' } });
    assert.equal(r.ok, true, r.error?.message);
    const h = JSON.parse(text(r.body)!);
    assert.equal(h.host, `other.test:${s.port}`);
    assert.equal(h.cookie, undefined);
    assert.equal(h.authorization, undefined);
    assert.equal(h['x-keep'], 'y');
    await f.close();
  });

  for (const code of [301, 302, 303, 307, 308]) {
    it(`follows ${code}`, async () => {
      const r = await fetcher.fetch({ url: `${s.origin}/r${code}` });
      assert.equal(r.ok, true, JSON.stringify(r.error));
      assert.equal(text(r.body), '<rss/>');
      assert.equal(r.url, `${s.origin}/feed`);
      assert.deepEqual(r.redirects.at(-1), `${s.origin}/feed`);
      if (code === 308) assert.equal(r.permanentRedirect, `${s.origin}/feed`);
      if (code === 302 || code === 303 || code === 307) assert.equal(r.permanentRedirect, undefined);
    });
  }

  it('reports a 301+308 chain as permanent, but not one with a 302 in it', async () => {
    const r = await fetcher.fetch({ url: `${s.origin}/r301` });
    assert.deepEqual(r.redirects, [`${s.origin}/r308`, `${s.origin}/feed`]);
    assert.equal(r.permanentRedirect, `${s.origin}/feed`);
    const m = await fetcher.fetch({ url: `${s.origin}/mixed` });
    assert.equal(m.ok, true);
    assert.equal(m.permanentRedirect, undefined);
  });

  it('detects a redirect loop', async () => {
    const r = await fetcher.fetch({ url: `${s.origin}/loopA` });
    assert.equal(r.ok, false);
    assert.equal(r.error?.kind, 'redirect-loop');
    assert.match(r.error!.message, /redirect loop/);
  });

  it('stops after maxRedirects hops', async () => {
    const before = s.log.length;
    const r = await fetcher.fetch({ url: `${s.origin}/hop0` });
    assert.equal(r.error?.kind, 'too-many-redirects');
    assert.equal(r.error?.message, 'more than 5 redirects (127.0.0.1)');
    assert.equal(s.log.length - before, 6);
    const ok = await new Fetcher({ allow: ['127.0.0.1'], maxRedirects: 0, perHostIntervalMs: 0 }).fetch({ url: `${s.origin}/r302` });
    assert.equal(ok.error?.kind, 'too-many-redirects');
  });

  it('refuses redirects to other schemes and non-http URLs', async () => {
    const r = await fetcher.fetch({ url: `${s.origin}/ftp` });
    assert.equal(r.error?.kind, 'invalid-url');
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'not a url', '', 'http://']) {
      const x = await fetcher.fetch({ url });
      assert.equal(x.ok, false);
      assert.equal(x.error?.kind, 'invalid-url', url);
    }
  });

  it('429 and 503 carry Retry-After (seconds and HTTP date)', async () => {
    const r = await fetcher.fetch({ url: `${s.origin}/429` });
    assert.equal(r.ok, false);
    assert.equal(r.status, 429);
    assert.equal(r.error?.kind, 'http');
    assert.equal(r.error?.message, 'HTTP 429 Too Many Requests (127.0.0.1)');
    assert.equal(r.retryAfterMs, 120_000);
    const d = await fetcher.fetch({ url: `${s.origin}/503date` });
    assert.equal(d.status, 503);
    assert.ok(d.retryAfterMs! > 85_000 && d.retryAfterMs! <= 90_000, String(d.retryAfterMs));
  });

  it('5xx and 404 are http errors', async () => {
    const r = await fetcher.fetch({ url: `${s.origin}/500` });
    assert.deepEqual([r.ok, r.status, r.error?.kind, r.retryAfterMs], [false, 500, 'http', undefined]);
    assert.equal(r.error?.message, 'HTTP 500 Internal Server Error (127.0.0.1)');
    const n = await fetcher.fetch({ url: `${s.origin}/nope` });
    assert.equal(n.error?.message, 'HTTP 404 Not Found (127.0.0.1)');
  });

  it('passes bytes through untouched whatever the declared charset', async () => {
    const r = await fetcher.fetch({ url: `${s.origin}/latin1` });
    assert.deepEqual([...r.body!], [0x3c, 0x61, 0x3e, 0xe9, 0xe8, 0x3c, 0x2f, 0x61, 0x3e]);
    assert.equal(r.contentType, 'text/xml; charset=utf-8');
  });

  it('refused, reset and garbage become short errors', async () => {
    const port = await closedPort();
    const r = await fetcher.fetch({ url: `http://127.0.0.1:${port}/` });
    assert.equal(r.error?.kind, 'refused');
    assert.equal(r.error?.message, `connection refused (127.0.0.1:${port})`);
    const reset = await fetcher.fetch({ url: `${s.origin}/reset` });
    assert.equal(reset.error?.kind, 'reset');
    const g = await fetcher.fetch({ url: `${s.origin}/garbage` });
    assert.equal(g.error?.kind, 'other');
    assert.match(g.error!.message, /invalid HTTP response/);
  });

  it('never throws, whatever it is given', async () => {
    const odd: unknown[] = [undefined, null, {}, { url: 42 }, { url: `${s.origin}/feed`, headers: { a: 1 } }, { url: `${s.origin}/feed`, maxBytes: -1 }];
    for (const req of odd) {
      const r = await fetcher.fetch(req as never);
      assert.equal(typeof r.ok, 'boolean');
      if (!r.ok) assert.ok(r.error?.message, JSON.stringify(req));
    }
  });

  it('an aborted signal ends the fetch as aborted', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const r = await fetcher.fetch({ url: `${s.origin}/feed`, signal: ctl.signal });
    assert.equal(r.error?.kind, 'aborted');
  });
});
