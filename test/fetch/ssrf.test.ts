import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Fetcher, type ResolvedAddress } from '../../src/fetch/index.ts';
import { AddressGuard } from '../../src/fetch/ssrf.ts';
import { serve, text, type Served } from './helpers.ts';

describe('fetch: SSRF guard', () => {
  it('blocks private, loopback, link-local, CGNAT, multicast, metadata and mapped addresses', () => {
    const g = new AddressGuard();
    for (const a of [
      '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1',
      '169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'fc00::1',
      'fd00:ec2::254', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe',
      '64:ff9b::10.0.0.1', '2002:a00:1::1', '[::1]', 'not-an-ip',
    ]) assert.equal(g.addressAllowed(a), false, a);
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(g.addressAllowed(a), true, a);
    }
    for (const n of ['localhost', 'LOCALHOST.', 'a.localhost', 'metadata.google.internal']) assert.equal(g.nameBlocked(n), true, n);
    assert.equal(g.nameBlocked('example.com'), false);
  });

  it('allow-list opens IPs, CIDRs and names, and rejects bad entries', () => {
    const g = new AddressGuard(['127.0.0.1', '10.0.0.0/8', 'fd12::/16', 'intranet.local', 'localhost']);
    assert.equal(g.addressAllowed('127.0.0.1'), true);
    assert.equal(g.addressAllowed('::ffff:127.0.0.1'), true);
    assert.equal(g.addressAllowed('127.0.0.2'), false);
    assert.equal(g.addressAllowed('10.9.9.9'), true);
    assert.equal(g.addressAllowed('fd12::5'), true);
    assert.equal(g.addressAllowed('fd13::5'), false);
    assert.equal(g.nameAllowed('Intranet.Local'), true);
    assert.equal(g.nameBlocked('localhost'), false);
    assert.throws(() => new AddressGuard(['10.0.0.0/33']), /invalid allow-list entry/);
    assert.throws(() => new AddressGuard(['foo/8']), /invalid allow-list entry/);
  });

  describe('against a real server', () => {
    let s: Served;
    const names: Record<string, ResolvedAddress[]> = {
      'evil.test': [{ address: '127.0.0.1', family: 4 }],
      'mixed.test': [{ address: '10.0.0.1', family: 4 }, { address: '127.0.0.1', family: 4 }],
      'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
      'feeds.test': [{ address: '127.0.0.1', family: 4 }],
    };
    const lookup = async (host: string) => {
      const list = names[host];
      if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return list;
    };
    before(async () => {
      s = await serve({
        '/feed': (_req, res) => res.end('secret'),
        '/to-loopback': (_req, res) => { res.writeHead(302, { location: `http://127.0.0.1:${s.port}/feed` }); res.end(); },
        '/to-localhost': (_req, res) => { res.writeHead(301, { location: `http://localhost:${s.port}/feed` }); res.end(); },
        '/to-metadata': (_req, res) => { res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }); res.end(); },
      });
    });
    after(() => s.close());

    it('refuses a name that resolves to a private address (checked at connect time)', async () => {
      const f = new Fetcher({ lookup, perHostIntervalMs: 0 });
      for (const host of ['evil.test', 'mapped.test']) {
        const r = await f.fetch({ url: `http://${host}:${s.port}/feed` });
        assert.equal(r.ok, false, host);
        assert.equal(r.error?.kind, 'ssrf', host);
        assert.match(r.error!.message, new RegExp(`blocked: ${host} resolves to private address`));
      }
      assert.equal(s.log.length, 0);
      await f.close();
    });

    it('connects only to the allowed addresses of a name', async () => {
      const f = new Fetcher({ lookup, allow: ['127.0.0.1'], perHostIntervalMs: 0 });
      const r = await f.fetch({ url: `http://mixed.test:${s.port}/feed` });
      assert.equal(r.ok, true, r.error?.message);
      assert.equal(text(r.body), 'secret');
      await f.close();
    });

    it('refuses IP literals and localhost, and checks every redirect hop', async () => {
      const f = new Fetcher({ lookup, allow: ['feeds.test'], perHostIntervalMs: 0 });
      const ok = await f.fetch({ url: `http://feeds.test:${s.port}/feed` });
      assert.equal(ok.ok, true, ok.error?.message);
      const direct = await f.fetch({ url: `http://127.0.0.1:${s.port}/feed` });
      assert.equal(direct.error?.kind, 'ssrf');
      assert.equal(direct.error?.message, 'blocked: 127.0.0.1 is a private address (not on the allow-list)');
      const v6 = await f.fetch({ url: `http://[::ffff:127.0.0.1]:${s.port}/feed` });
      assert.equal(v6.error?.kind, 'ssrf');
      const before = s.log.length;
      for (const path of ['/to-loopback', '/to-localhost', '/to-metadata']) {
        const r = await f.fetch({ url: `http://feeds.test:${s.port}${path}` });
        assert.equal(r.ok, false, path);
        assert.equal(r.error?.kind, 'ssrf', path);
        assert.equal(r.redirects.length, 1);
      }
      // Only the three redirecting requests reached the server: no hop got through.
      assert.equal(s.log.length - before, 3);
      await f.close();
    });
  });
});
