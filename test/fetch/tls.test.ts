import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Fetcher } from '../../src/fetch/index.ts';
import { selfSigned, serve, text, type Served } from './helpers.ts';

describe('fetch: TLS', () => {
  let s: Served;
  let cert: Buffer;
  before(async () => {
    const pair = selfSigned();
    cert = pair.cert;
    s = await serve({ '/feed': (_req, res) => res.end('over tls') }, pair);
  });
  after(() => s.close());

  it('an untrusted self-signed certificate is a clear TLS error', async () => {
    const f = new Fetcher({ allow: ['127.0.0.1'] });
    const r = await f.fetch({ url: `${s.origin}/feed` });
    assert.equal(r.ok, false);
    assert.equal(r.error?.kind, 'tls');
    assert.equal(r.error?.message, 'TLS: self-signed certificate (127.0.0.1)');
    await f.close();
  });

  it('trusting the certificate through `ca` makes it work', async () => {
    const f = new Fetcher({ allow: ['127.0.0.1'], ca: cert });
    const r = await f.fetch({ url: `${s.origin}/feed` });
    assert.equal(r.ok, true, r.error?.message);
    assert.equal(text(r.body), 'over tls');
    await f.close();
  });

  it('a certificate for another name is refused', async () => {
    const f = new Fetcher({
      allow: ['other.test'], ca: cert,
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const r = await f.fetch({ url: `https://other.test:${s.port}/feed` });
    assert.equal(r.error?.kind, 'tls');
    assert.equal(r.error?.message, 'TLS: certificate does not match the host name (other.test)');
    await f.close();
  });

  it('plain HTTP to a TLS port fails without crashing', async () => {
    const f = new Fetcher({ allow: ['127.0.0.1'], headersTimeoutMs: 1000 });
    const r = await f.fetch({ url: `http://127.0.0.1:${s.port}/feed` });
    assert.equal(r.ok, false);
    assert.equal(r.error?.kind, 'reset');
    assert.equal(r.error?.message, 'connection closed by server (127.0.0.1)');
    await f.close();
  });
});
