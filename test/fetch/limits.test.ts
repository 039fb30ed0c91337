import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { Fetcher } from '../../src/fetch/index.ts';
import { serve, text, type Served } from './helpers.ts';

const XML = '<rss><channel><title>é</title></channel></rss>'.repeat(50);

describe('fetch: timeouts, size cap and decompression', () => {
  let s: Served;
  const timers: NodeJS.Timeout[] = [];
  const base = { allow: ['127.0.0.1'], perHostIntervalMs: 0, perHostConcurrency: 8 };

  before(async () => {
    // 16 MiB of zeros gzip to 16 KiB: 1000:1, far past the 2 MiB cap used below.
    const bomb = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    s = await serve({
      '/slow-headers': (_req, res) => { timers.push(setTimeout(() => { res.writeHead(200); res.end('late'); }, 3000)); },
      '/trickle': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const t = setInterval(() => { if (!res.destroyed) res.write('x'); }, 100);
        timers.push(t);
        res.on('close', () => clearInterval(t));
      },
      '/stall': (_req, res) => { res.writeHead(200); res.write('a'); },
      '/big-declared': (_req, res) => { res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) }); res.write('x'); },
      '/big-chunked': (_req, res) => {
        res.writeHead(200);
        let sent = 0;
        const push = () => {
          while (sent < 4 * 1024 * 1024) {
            sent += 64 * 1024;
            if (!res.write(Buffer.alloc(64 * 1024, 97))) return void res.once('drain', push);
          }
          res.end();
        };
        res.on('close', () => { sent = Infinity; });
        push();
      },
      '/bomb': (_req, res) => { res.writeHead(200, { 'content-encoding': 'gzip' }); res.end(bomb); },
      '/gzip': (_req, res) => { res.writeHead(200, { 'content-encoding': 'gzip' }); res.end(zlib.gzipSync(XML)); },
      '/br': (_req, res) => { res.writeHead(200, { 'content-encoding': 'br' }); res.end(zlib.brotliCompressSync(XML)); },
      '/deflate': (_req, res) => { res.writeHead(200, { 'content-encoding': 'deflate' }); res.end(zlib.deflateSync(XML)); },
      '/deflate-raw': (_req, res) => { res.writeHead(200, { 'content-encoding': 'deflate' }); res.end(zlib.deflateRawSync(XML)); },
      '/layered': (_req, res) => {
        res.writeHead(200, { 'content-encoding': 'deflate, gzip' });
        res.end(zlib.gzipSync(zlib.deflateSync(XML)));
      },
      '/corrupt': (_req, res) => { res.writeHead(200, { 'content-encoding': 'gzip' }); res.end(Buffer.from('definitely not gzip')); },
      '/unknown': (_req, res) => { res.writeHead(200, { 'content-encoding': 'compress' }); res.end('x'); },
    });
  });
  after(async () => { for (const t of timers) clearTimeout(t); await s.close(); });

  it('gives up on slow response headers', async () => {
    const f = new Fetcher({ ...base, headersTimeoutMs: 200 });
    const t0 = Date.now();
    const r = await f.fetch({ url: `${s.origin}/slow-headers` });
    assert.equal(r.error?.kind, 'timeout');
    assert.equal(r.error?.message, 'no response within 200 ms (127.0.0.1)');
    assert.ok(Date.now() - t0 < 1500);
    await f.close();
  });

  it('a caller abort mid-request ends it as aborted, promptly', async () => {
    const f = new Fetcher(base);
    const t0 = Date.now();
    const r = await f.fetch({ url: `${s.origin}/slow-headers`, signal: AbortSignal.timeout(100) });
    assert.equal(r.error?.kind, 'aborted');
    assert.ok(Date.now() - t0 < 1000);
    await f.close();
  });

  it('cuts off a trickling body at the deadline although it never goes idle', async () => {
    const f = new Fetcher({ ...base, idleTimeoutMs: 1000, deadlineMs: 500 });
    const t0 = Date.now();
    const r = await f.fetch({ url: `${s.origin}/trickle` });
    const took = Date.now() - t0;
    assert.equal(r.error?.kind, 'timeout');
    assert.equal(r.error!.message, 'deadline reached: gave up after 0.5 s (127.0.0.1)');
    assert.ok(took >= 450 && took < 1500, String(took));
    await f.close();
  });

  it('gives up on a stalled body (idle timeout)', async () => {
    const f = new Fetcher({ ...base, idleTimeoutMs: 200 });
    const r = await f.fetch({ url: `${s.origin}/stall` });
    assert.equal(r.error?.kind, 'timeout');
    assert.equal(r.error?.message, 'response stalled for 200 ms (127.0.0.1)');
    await f.close();
  });

  it('refuses a body over the cap, declared or streamed', async () => {
    const f = new Fetcher({ ...base, maxBytes: 1024 * 1024 });
    const d = await f.fetch({ url: `${s.origin}/big-declared` });
    assert.equal(d.error?.kind, 'too-large');
    assert.equal(d.error?.message, 'response larger than 1 MiB (127.0.0.1)');
    const c = await f.fetch({ url: `${s.origin}/big-chunked` });
    assert.equal(c.error?.kind, 'too-large');
    assert.equal(c.body, undefined);
    const small = await f.fetch({ url: `${s.origin}/big-chunked`, maxBytes: 8 * 1024 * 1024 });
    assert.equal(small.ok, true);
    assert.equal(small.body!.length, 4 * 1024 * 1024);
    await f.close();
  });

  it('stops a gzip bomb at the cap (decompressed bytes counted)', async () => {
    const f = new Fetcher({ ...base, maxBytes: 2 * 1024 * 1024 });
    const before = process.memoryUsage().rss;
    const r = await f.fetch({ url: `${s.origin}/bomb` });
    assert.equal(r.error?.kind, 'too-large');
    assert.equal(r.error?.message, 'response larger than 2 MiB (127.0.0.1)');
    assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024);
    await f.close();
  });

  it('decodes gzip, br, deflate (zlib and raw) and layered encodings', async () => {
    const f = new Fetcher(base);
    for (const path of ['/gzip', '/br', '/deflate', '/deflate-raw', '/layered']) {
      const r = await f.fetch({ url: `${s.origin}${path}` });
      assert.equal(r.ok, true, `${path}: ${r.error?.message}`);
      assert.equal(text(r.body), XML, path);
    }
    await f.close();
  });

  it('reports corrupt and unknown encodings', async () => {
    const f = new Fetcher(base);
    const c = await f.fetch({ url: `${s.origin}/corrupt` });
    assert.equal(c.error?.kind, 'other');
    assert.equal(c.error?.message, 'corrupt compressed body (127.0.0.1)');
    const u = await f.fetch({ url: `${s.origin}/unknown` });
    assert.equal(u.error?.message, 'unsupported Content-Encoding: compress');
    await f.close();
  });
});

describe('fetch: connect timeouts', () => {
  it('a server that accepts TCP but never answers the TLS or SOCKS handshake times out', async () => {
    const net = await import('node:net');
    const sockets = new Set<import('node:net').Socket>();
    const silent = net.createServer((sock) => { sockets.add(sock); sock.on('error', () => {}); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const f = new Fetcher({ allow: ['127.0.0.1'], connectTimeoutMs: 200, perHostIntervalMs: 0 });
    const t0 = Date.now();
    const r = await f.fetch({ url: `https://127.0.0.1:${port}/` });
    assert.equal(r.error?.kind, 'timeout');
    assert.equal(r.error?.message, 'connect timed out after 200 ms (127.0.0.1)');
    assert.ok(Date.now() - t0 < 1500, `${Date.now() - t0} ms`);
    const sx = await f.fetch({ url: 'http://127.0.0.1:9/', proxy: `socks5://127.0.0.1:${port}` });
    assert.equal(sx.error?.kind, 'timeout');
    assert.equal(sx.error?.message, `proxy: SOCKS5 handshake timed out after 200 ms (127.0.0.1:${port})`);
    await f.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});
