import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Fetcher } from '../../src/fetch/index.ts';
import { bypass, globalProxyFor, parseProxy } from '../../src/fetch/proxy.ts';
import { closedPort, httpProxy, selfSigned, serve, socksProxy, text, type ProxyServer, type Served } from './helpers.ts';

describe('fetch: proxies', () => {
  let origin: Served;
  let secure: Served;
  let cert: Buffer;
  let hp: ProxyServer;
  let sp: ProxyServer;
  let spAuth: ProxyServer;
  const base = { allow: ['127.0.0.1'], perHostIntervalMs: 0 };

  before(async () => {
    const pair = selfSigned();
    cert = pair.cert;
    origin = await serve({ '/feed': (req, res) => res.end(`plain ${req.headers['user-agent']}`) });
    secure = await serve({ '/feed': (_req, res) => res.end('secure') }, pair);
    hp = await httpProxy();
    sp = await socksProxy();
    spAuth = await socksProxy({ user: 'u', pass: 'p w' });
  });
  after(async () => {
    await Promise.all([origin.close(), secure.close(), hp.close(), sp.close(), spAuth.close()]);
  });

  it('HTTP proxy: absolute form for http, CONNECT for https', async () => {
    const f = new Fetcher({ ...base, proxy: hp.url, ca: cert, env: {} });
    const r = await f.fetch({ url: `${origin.origin}/feed` });
    assert.equal(r.ok, true, r.error?.message);
    assert.match(text(r.body)!, /^plain feedmirror/);
    assert.equal(hp.seen.at(-1), `GET ${origin.origin}/feed`);
    const t = await f.fetch({ url: `${secure.origin}/feed` });
    assert.equal(t.ok, true, t.error?.message);
    assert.equal(text(t.body), 'secure');
    assert.equal(hp.seen.at(-1), `CONNECT 127.0.0.1:${secure.port}`);
    await f.close();
  });

  it('HTTPS proxy (TLS to the proxy itself)', async () => {
    const pair = selfSigned();
    const tp = await httpProxy(pair);
    const f = new Fetcher({ ...base, ca: [cert, pair.cert], proxy: tp.url, env: {} });
    const r = await f.fetch({ url: `${origin.origin}/feed` });
    assert.equal(r.ok, true, r.error?.message);
    const t = await f.fetch({ url: `${secure.origin}/feed` });
    assert.equal(text(t.body), 'secure', t.error?.message);
    // undici tunnels every target through a TLS proxy, plain http included.
    assert.deepEqual(tp.seen, [`CONNECT 127.0.0.1:${origin.port}`, `CONNECT 127.0.0.1:${secure.port}`]);
    await f.close();
    const untrusted = new Fetcher({ ...base, proxy: tp.url, env: {} });
    const u = await untrusted.fetch({ url: `${origin.origin}/feed` });
    assert.equal(u.error?.kind, 'tls');
    await untrusted.close();
    await tp.close();
  });

  it('SOCKS5: local DNS (socks5://) and proxy DNS (socks5h://), with user/password', async () => {
    const f = new Fetcher({
      ...base, ca: cert, allow: ['127.0.0.1', 'feeds.test'],
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const r = await f.fetch({ url: `http://feeds.test:${origin.port}/feed`, proxy: sp.url });
    assert.equal(r.ok, true, r.error?.message);
    assert.equal(sp.seen.at(-1), `CONNECT 127.0.0.1:${origin.port}`);
    const h = await f.fetch({ url: `https://localhost:${secure.port}/feed`, proxy: sp.url.replace('socks5:', 'socks5h:') });
    assert.equal(h.error?.kind, 'ssrf', 'localhost stays blocked through a proxy');
    const remote = await f.fetch({ url: `http://feeds.test:${origin.port}/feed`, proxy: sp.url.replace('socks5:', 'socks5h:') });
    assert.equal(remote.ok, true, remote.error?.message);
    assert.equal(sp.seen.at(-1), `CONNECT feeds.test:${origin.port}`);
    const tlsOk = await f.fetch({ url: `${secure.origin}/feed`, proxy: sp.url });
    assert.equal(text(tlsOk.body), 'secure', tlsOk.error?.message);
    const authed = await f.fetch({ url: `${origin.origin}/feed`, proxy: `socks5://u:p%20w@127.0.0.1:${spAuth.port}` });
    assert.equal(authed.ok, true, authed.error?.message);
    const denied = await f.fetch({ url: `${origin.origin}/feed`, proxy: `socks5://u:wrong@127.0.0.1:${spAuth.port}` });
    assert.equal(denied.error?.kind, 'proxy');
    assert.equal(denied.error?.message, `proxy: SOCKS5 authentication failed (127.0.0.1:${spAuth.port})`);
    const noCreds = await f.fetch({ url: `${origin.origin}/feed`, proxy: `socks5://127.0.0.1:${spAuth.port}` });
    assert.equal(noCreds.error?.kind, 'proxy');
    await f.close();
  });

  it('SOCKS5 reports a refused target', async () => {
    const f = new Fetcher(base);
    const port = await closedPort();
    const r = await f.fetch({ url: `http://127.0.0.1:${port}/`, proxy: sp.url });
    assert.equal(r.error?.kind, 'proxy');
    assert.equal(r.error?.message, `proxy: SOCKS5 connection refused (127.0.0.1:${port} via 127.0.0.1:${sp.port})`);
    await f.close();
  });

  it('global proxy from the environment, NO_PROXY and per-request override', async () => {
    const env = { http_proxy: hp.url, HTTPS_PROXY: sp.url, NO_PROXY: 'example.org' };
    const f = new Fetcher({ ...base, ca: cert, env });
    const before = hp.seen.length;
    const r = await f.fetch({ url: `${origin.origin}/feed` });
    assert.equal(r.ok, true, r.error?.message);
    assert.equal(hp.seen.length, before + 1, 'http went through http_proxy');
    const socksBefore = sp.seen.length;
    const t = await f.fetch({ url: `${secure.origin}/feed` });
    assert.equal(t.ok, true, t.error?.message);
    assert.equal(sp.seen.length, socksBefore + 1, 'https went through HTTPS_PROXY');
    const direct = await f.fetch({ url: `${origin.origin}/feed`, proxy: null });
    assert.equal(direct.ok, true);
    assert.equal(hp.seen.length, before + 1, 'proxy: null goes direct');
    await f.close();

    const bypassing = new Fetcher({ ...base, env: { HTTP_PROXY: hp.url, no_proxy: '127.0.0.1' } });
    const b = await bypassing.fetch({ url: `${origin.origin}/feed` });
    assert.equal(b.ok, true);
    assert.equal(hp.seen.length, before + 1, 'NO_PROXY host goes direct');
    const forced = await bypassing.fetch({ url: `${origin.origin}/feed`, proxy: hp.url });
    assert.equal(forced.ok, true);
    assert.equal(hp.seen.length, before + 2, 'a per-request proxy ignores NO_PROXY');
    await bypassing.close();
  });

  it('an unreachable or invalid proxy is a proxy error', async () => {
    const port = await closedPort();
    const f = new Fetcher(base);
    const r = await f.fetch({ url: `${origin.origin}/feed`, proxy: `http://127.0.0.1:${port}` });
    assert.equal(r.error?.kind, 'proxy');
    assert.equal(r.error?.message, `proxy: connection refused (127.0.0.1:${port})`);
    const s = await f.fetch({ url: `${origin.origin}/feed`, proxy: `socks5://127.0.0.1:${port}` });
    assert.equal(s.error?.message, `proxy: connection refused (127.0.0.1:${port})`);
    const bad = await f.fetch({ url: `${origin.origin}/feed`, proxy: 'socks4://127.0.0.1:1' });
    assert.equal(bad.error?.kind, 'proxy');
    assert.match(bad.error!.message, /unsupported proxy scheme: socks4/);
    await f.close();
  });

  it('through SOCKS5 with local DNS, a private IP literal is refused before the proxy is asked', async () => {
    const f = new Fetcher({ perHostIntervalMs: 0 });
    const before = sp.seen.length;
    const r = await f.fetch({ url: `${origin.origin}/feed`, proxy: sp.url });
    assert.equal(r.error?.kind, 'ssrf');
    assert.equal(r.error?.message, 'blocked: 127.0.0.1 is a private address (not on the allow-list)');
    const h = await f.fetch({ url: `${origin.origin}/feed`, proxy: sp.url.replace('socks5:', 'socks5h:') });
    assert.equal(h.error?.kind, 'ssrf');
    assert.equal(sp.seen.length, before);
    await f.close();
  });

  it('through a proxy, a target name resolving to a private address is still refused', async () => {
    const f = new Fetcher({ proxy: hp.url, lookup: async () => [{ address: '10.0.0.7', family: 4 }] });
    const before = hp.seen.length;
    const r = await f.fetch({ url: 'http://intranet.example/feed' });
    assert.equal(r.error?.kind, 'ssrf');
    assert.equal(r.error?.message, 'blocked: intranet.example resolves to private address 10.0.0.7 (not on the allow-list)');
    assert.equal(hp.seen.length, before, 'the proxy was never asked');
    await f.close();
  });

  it('proxy selection rules', () => {
    const u = (s: string) => new URL(s);
    assert.equal(globalProxyFor(u('https://a.example/'), { env: { HTTPS_PROXY: 'http://p:1', http_proxy: 'http://q:2' } }), 'http://p:1');
    assert.equal(globalProxyFor(u('http://a.example/'), { env: { HTTPS_PROXY: 'http://p:1', http_proxy: 'http://q:2' } }), 'http://q:2');
    assert.equal(globalProxyFor(u('http://a.example/'), { env: { ALL_PROXY: 'socks5h://t:9050' } }), 'socks5h://t:9050');
    assert.equal(globalProxyFor(u('http://a.example/'), { proxy: '', env: { ALL_PROXY: 'socks5h://t:9050' } }), undefined);
    assert.equal(globalProxyFor(u('http://a.example/'), { proxy: 'http://c:3', env: { ALL_PROXY: 'socks5h://t:9050' } }), 'http://c:3');
    assert.equal(bypass(u('http://feeds.example.org/'), 'example.org'), true);
    assert.equal(bypass(u('http://badexample.org/'), 'example.org'), false);
    assert.equal(bypass(u('http://x.example.org/'), '.example.org'), true);
    assert.equal(bypass(u('http://x.example.org:8080/'), 'example.org:9090'), false);
    assert.equal(bypass(u('http://x.example.org:8080/'), 'example.org:8080'), true);
    assert.equal(bypass(u('http://10.1.2.3/'), 'localhost, 10.0.0.0/8'), true);
    assert.equal(bypass(u('http://[::1]/'), '[::1]'), true);
    assert.equal(bypass(u('http://anything/'), '*'), true);
    assert.equal(parseProxy('socks5://h').port, 1080);
    assert.equal(parseProxy('socks5://h').remoteDns, false);
    assert.equal(parseProxy('socks5h://h').remoteDns, true);
    assert.equal(parseProxy('proxy.local:3128').kind, 'http');
    assert.throws(() => parseProxy('ftp://h'), /unsupported proxy scheme/);
  });
});
