// The reader's HTTP server on 127.0.0.1, driven with real requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../../src/server/index.ts';
import { HOSTILE_TITLE, REFERENCE_TITLE, seed, type Seeded } from './seed.ts';

const PASSWORD = 'correct horse battery staple';

interface Res {
  status: number;
  headers: Headers;
  text: string;
}

function client(base: string) {
  let cookie = '';
  const req = async (path: string, init: RequestInit & { form?: Record<string, string> } = {}): Promise<Res> => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers.set('content-type', 'application/x-www-form-urlencoded');
    }
    const r = await fetch(base + path, { ...init, body, headers, redirect: 'manual' });
    const set = r.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return { status: r.status, headers: r.headers, text: await r.text() };
  };
  return {
    req,
    get cookie() {
      return cookie;
    },
    async login(password = PASSWORD): Promise<Res> {
      return req('/login', { method: 'POST', form: { password, next: '/' } });
    },
    async csrf(): Promise<string> {
      const r = await req('/');
      const m = /<meta name="csrf-token" content="([^"]+)">/.exec(r.text);
      assert.ok(m, 'a logged-in page carries the CSRF token');
      return m[1];
    },
  };
}

describe('private reader', () => {
  let s: Seeded;
  let server: ServerHandle;
  const lines: string[] = [];
  before(async () => {
    s = await seed({ extra: 70 });
    server = await startServer(s.config, s.db, { port: 0, adminPassword: PASSWORD, log: (l) => lines.push(l) });
  });
  after(async () => {
    await server.close();
    s.cleanup();
  });

  test('listens on 127.0.0.1; health needs no login', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await client(server.url).req('/healthz');
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.text).status, 'ok');
  });

  test('pages need a login; the login sets an HttpOnly SameSite session cookie stored hashed', async () => {
    const c = client(server.url);
    const r = await c.req('/item/1');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login?next=%2Fitem%2F1');
    const bad = await c.login('wrong password');
    assert.equal(bad.status, 401);
    assert.match(bad.text, /Wrong password/);
    assert.equal(c.cookie, '');
    const ok = await c.login();
    assert.equal(ok.status, 303);
    const set = ok.headers.get('set-cookie') ?? '';
    assert.match(set, /^fm_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const token = c.cookie.split('=')[1];
    const stored = s.db.prepare('SELECT id FROM reader_sessions').pluck().all() as string[];
    assert.ok(stored.length >= 1);
    assert.ok(!stored.includes(token), 'the raw session id is not in the database');
    const page = await c.req('/');
    assert.equal(page.status, 200);
    assert.match(page.text, /美国之音/);
  });

  test('security headers: strict CSP without inline script, nosniff, no referrer', async () => {
    const r = await client(server.url).req('/login');
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline'[^;]*;?\s*$|script-src[^;]*unsafe/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)/, 'no inline script element');
  });

  test('changes need the CSRF token and the same origin', async () => {
    const c = client(server.url);
    await c.login();
    const id = s.ids.get(REFERENCE_TITLE)!;
    const json = { accept: 'application/json' };
    const none = await c.req(`/item/${id}/star`, { method: 'POST', form: { value: '1' }, headers: json });
    assert.equal(none.status, 403);
    assert.equal(s.db.prepare('SELECT count(*) FROM item_state WHERE starred = 1').pluck().get(), 0);
    const token = await c.csrf();
    const wrong = await c.req(`/item/${id}/star`, { method: 'POST', form: { value: '1' }, headers: { ...json, 'x-csrf-token': token.slice(1) + 'x' } });
    assert.equal(wrong.status, 403);
    const cross = await c.req(`/item/${id}/star`, { method: 'POST', form: { value: '1', _csrf: token }, headers: { ...json, origin: 'https://evil.example' } });
    assert.equal(cross.status, 403);
    const ok = await c.req(`/item/${id}/star`, { method: 'POST', form: { value: '1' }, headers: { ...json, 'x-csrf-token': token } });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.text), { id, read: false, starred: true });
    // Without script: the form field, then back where we were.
    const form = await c.req(`/item/${id}/read`, { method: 'POST', form: { value: '1', _csrf: token, back: '/starred' } });
    assert.equal(form.status, 303);
    assert.equal(form.headers.get('location'), '/starred');
    const evil = await c.req(`/item/${id}/read`, { method: 'POST', form: { value: '0', _csrf: token, back: '//evil.example/' } });
    assert.equal(evil.headers.get('location'), `/item/${id}`, 'an off-site "back" is ignored');
    const starred = await c.req('/starred');
    assert.match(starred.text, new RegExp(REFERENCE_TITLE.slice(0, 8)));
    const anon = await client(server.url).req(`/item/${id}/star`, { method: 'POST', form: { value: '0' }, headers: json });
    assert.equal(anon.status, 401);
  });

  test('keyset paging visits every item once, newest first, and back', async () => {
    const c = client(server.url);
    await c.login();
    const total = s.db.prepare('SELECT count(*) FROM items').pluck().get() as number;
    assert.equal(total, 72);
    const seen: number[] = [];
    let path: string | undefined = '/';
    const pages: string[] = [];
    while (path) {
      pages.push(path);
      const r = await c.req(path);
      assert.equal(r.status, 200);
      seen.push(...[...r.text.matchAll(/<li class="entry" data-id="(\d+)"/g)].map((m) => Number(m[1])));
      path = /<a href="([^"]+)" rel="next">/.exec(r.text)?.[1]?.replace(/&amp;/g, '&');
    }
    assert.equal(pages.length, 3);
    assert.equal(new Set(seen).size, total);
    const order = s.db.prepare('SELECT id FROM items ORDER BY coalesce(time, first_seen) DESC, id DESC').pluck().all();
    assert.deepEqual(seen, order);
    // The last page links to the newer one, which is the middle page.
    const last = await c.req(pages[2]);
    const newer = /<a href="([^"]+)" rel="prev">/.exec(last.text)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(newer);
    const back = await c.req(newer);
    assert.deepEqual([...back.text.matchAll(/<li class="entry" data-id="(\d+)"/g)].map((m) => Number(m[1])), order.slice(30, 60));
    const junk = await c.req('/?before=1%27%20OR%201=1');
    assert.equal(junk.status, 200, 'a malformed cursor is the first page');
  });

  test('the article: sanitized content, original and web-archive links, no script anywhere', async () => {
    const c = client(server.url);
    await c.login();
    const ref = await c.req(`/item/${s.ids.get(REFERENCE_TITLE)}`);
    assert.equal(ref.status, 200);
    assert.match(ref.text, /崔善姬/);
    assert.match(ref.text, /href="https:\/\/web\.archive\.org\/web\/\*\/https:\/\/www\.voachinese\.com\/a\//);
    assert.match(ref.text, /href="https:\/\/archive\.ph\/https:\/\/www\.voachinese\.com/);
    const bad = await c.req(`/item/${s.ids.get(HOSTILE_TITLE)}`);
    assert.equal(bad.status, 200);
    assert.match(bad.text, /这篇文章试图运行脚本/);
    assert.doesNotMatch(bad.text, /onerror|window\.__pwned|javascript:/i);
    assert.equal((await c.req('/item/999999')).status, 404);
    assert.equal((await c.req('/item/abc')).status, 404);
  });

  test('daily digest and site view in the reader\'s time zone', async () => {
    const c = client(server.url);
    await c.login();
    // 2024-10-30 15:39 UTC is 23:39 in Asia/Shanghai: on the 30th, not the 31st.
    const day = await c.req('/day/2024-10-30');
    assert.match(day.text, new RegExp(REFERENCE_TITLE.slice(0, 8)));
    assert.match(day.text, /2024-10-30 23:39/);
    const next = await c.req('/day/2024-10-31');
    assert.doesNotMatch(next.text, new RegExp(REFERENCE_TITLE.slice(0, 8)));
    assert.match(next.text, /恶意内容测试/);
    assert.equal((await c.req('/day/2024-02-30')).status, 404);
    const site = await c.req(`/site/${encodeURIComponent('美国之音')}`);
    assert.equal(site.status, 200);
    assert.doesNotMatch(site.text, /恶意内容测试/);
    assert.match(site.text, /<span>美国之音<\/span><span class="count" title="unread \/ total">\d+\/36<\/span>/);
    assert.equal((await c.req('/site/nothing-here')).status, 404);
  });

  test('unread filter and mark all read (per site), counts follow', async () => {
    const c = client(server.url);
    await c.login();
    const token = await c.csrf();
    const site = '美国之音';
    const r = await c.req('/mark-all-read', { method: 'POST', form: { _csrf: token, site, back: '/?unread=1' } });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/?unread=1');
    const unread = await c.req('/?unread=1');
    const ids = [...unread.text.matchAll(/<li class="entry" data-id="(\d+)"/g)].map((m) => Number(m[1]));
    const sites = new Set(ids.map((id) => s.db.prepare('SELECT site FROM items WHERE id = ?').pluck().get(id)));
    assert.ok(ids.length > 0);
    assert.ok(!sites.has(site), 'no item of the marked site is unread');
    assert.match(unread.text, /<span>美国之音<\/span><span class="count" title="unread \/ total">0\/36<\/span>/);
    assert.match(unread.text, /<span>Example News<\/span><span class="count" title="unread \/ total">36\/36<\/span>/);
    const denied = await client(server.url).req('/mark-all-read', { method: 'POST', form: { site } });
    assert.equal(denied.status, 401);
  });

  test('search finds 外相 and highlights it', async () => {
    const c = client(server.url);
    await c.login();
    const r = await c.req(`/search?q=${encodeURIComponent('外相')}`);
    assert.equal(r.status, 200);
    assert.match(r.text, /<mark>外相<\/mark>/);
    assert.match(r.text, new RegExp(`href="/item/${s.ids.get(REFERENCE_TITLE)}"`));
    assert.match(r.text, /class="excerpt">[^<]*<mark>/, 'a snippet with the match marked');
    const trad = await c.req(`/search?q=${encodeURIComponent('莫斯科會晤')}`);
    assert.match(trad.text, new RegExp(`href="/item/${s.ids.get(REFERENCE_TITLE)}"`), 'Traditional finds Simplified');
    const other = await c.req(`/search?q=${encodeURIComponent('外相 site:Example')}`);
    assert.doesNotMatch(other.text, new RegExp(`href="/item/${s.ids.get(REFERENCE_TITLE)}"`));
    const bad = await c.req(`/search?q=${encodeURIComponent('-外相')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Cannot search: a query needs at least one word/);
    const none = await c.req(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    assert.equal(none.status, 200);
    assert.doesNotMatch(none.text, /<script>alert/);
  });

  test('metrics: feeds, items, fetch errors and a request-duration histogram', async () => {
    const r = await client(server.url).req('/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(r.text, /^feedmirror_items 72$/m);
    assert.match(r.text, /^feedmirror_feeds 0$/m);
    assert.match(r.text, /^feedmirror_feeds_failing 0$/m);
    assert.match(r.text, /^# TYPE feedmirror_http_request_duration_seconds histogram$/m);
    const count = /feedmirror_http_request_duration_seconds_count\{method="GET",route="\/",status="2xx"\} (\d+)/.exec(r.text);
    assert.ok(count && Number(count[1]) >= 3);
  });

  test('bad input gets a clear answer, never a crash', async () => {
    const c = client(server.url);
    await c.login();
    const token = await c.csrf();
    const huge = await c.req('/item/1/read', { method: 'POST', body: 'value=1&x=' + 'a'.repeat(2 << 20), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': token } });
    assert.equal(huge.status, 413);
    const badValue = await c.req('/item/1/read', { method: 'POST', form: { value: 'yes' }, headers: { 'x-csrf-token': token } });
    assert.equal(badValue.status, 400);
    const multipart = await c.req('/subscriptions/import', { method: 'POST', body: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=zzz' } });
    assert.equal(multipart.status, 400);
    assert.equal((await c.req('/healthz')).status, 200);
  });

  test('ten wrong passwords from one address: wait', async () => {
    const c = client(server.url);
    for (let i = 0; i < 10; i++) assert.equal((await c.login(`wrong ${i}`)).status, 401);
    const r = await c.login();
    assert.equal(r.status, 429);
    assert.equal(c.cookie, '');
  });
});

describe('first start and public mode', () => {
  test('a generated password is printed once, then the stored hash is kept', async () => {
    const s = await seed({ extra: 0 });
    try {
      const lines: string[] = [];
      const first = await startServer(s.config, s.db, { port: 0, log: (l) => lines.push(l) });
      await first.close();
      assert.equal(lines.length, 1);
      const pw = /shown once, keep it\): (\S+)$/.exec(lines[0])?.[1];
      assert.ok(pw && pw.length >= 16);
      const stored = s.db.prepare('SELECT password FROM reader_accounts').pluck().get() as string;
      assert.match(stored, /^scrypt\$32768\$8\$1\$/);
      assert.ok(!stored.includes(pw));
      const second = await startServer(s.config, s.db, { port: 0, log: (l) => lines.push(l) });
      try {
        assert.equal(lines.length, 1, 'not printed again');
        assert.equal((await client(second.url).login(pw)).status, 303);
      } finally {
        await second.close();
      }
    } finally {
      s.cleanup();
    }
  });

  test('public: anyone reads, only the administrator changes', async () => {
    const s = await seed({ extra: 2, index: false });
    const server = await startServer(s.config, s.db, { port: 0, public: true, adminPassword: PASSWORD, log: () => {} });
    try {
      const anon = client(server.url);
      const list = await anon.req('/');
      assert.equal(list.status, 200);
      assert.match(list.text, /美国之音/);
      assert.doesNotMatch(list.text, /csrf-token|action="\/item\/\d+\/star"/, 'no change forms for readers');
      assert.equal((await anon.req(`/item/${s.ids.get(REFERENCE_TITLE)}`)).status, 200);
      // Without a search index, titles are searched.
      const found = await anon.req(`/search?q=${encodeURIComponent('外相')}`);
      assert.match(found.text, /titles only/);
      assert.match(found.text, /<mark>外相<\/mark>/);
      const star = await anon.req(`/item/${s.ids.get(REFERENCE_TITLE)}/star`, { method: 'POST', form: { value: '1' }, headers: { accept: 'application/json' } });
      assert.equal(star.status, 403);
      assert.equal((await anon.req('/subscriptions')).status, 303);
      assert.equal((await anon.req('/subscriptions/export.opml')).status, 303);
      const admin = client(server.url);
      await admin.login();
      assert.equal((await admin.req('/subscriptions')).status, 200);
      const token = await admin.csrf();
      const ok = await admin.req(`/item/${s.ids.get(REFERENCE_TITLE)}/star`, { method: 'POST', form: { value: '1' }, headers: { accept: 'application/json', 'x-csrf-token': token } });
      assert.equal(ok.status, 200);
    } finally {
      await server.close();
      s.cleanup();
    }
  });
});

describe('images', () => {
  test('the image proxy is mounted under /img, public (the signature protects it), with its own headers', async () => {
    const s = await seed({ extra: 0, index: false });
    const seen: string[] = [];
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const server = await startServer(s.config, s.db, {
      port: 0, adminPassword: PASSWORD, log: () => {},
      images: { mode: 'custom', rewriter: { rewrite: (u) => `/img/sig/${Buffer.from(u).toString('base64url')}` } },
      imageProxy: async (req) => {
        seen.push(`${req.method} ${req.url}`);
        return { status: 200, headers: { 'content-type': 'image/png', 'content-security-policy': "default-src 'none'; sandbox", 'cache-control': 'public, max-age=60' }, body: png };
      },
    });
    try {
      const c = client(server.url);
      // No session: images must load in feed readers and republished feeds too.
      const r = await fetch(`${server.url}/img/abc/def`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'image/png');
      assert.equal(r.headers.get('content-security-policy'), "default-src 'none'; sandbox");
      assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
      assert.deepEqual(Buffer.from(await r.arrayBuffer()), png);
      assert.deepEqual(seen, ['GET /img/abc/def']);
      await c.login();
      // Articles point their images at the proxy, and the page's CSP allows only ourselves for images.
      const page = await c.req(`/item/${s.ids.get(REFERENCE_TITLE)}`);
      assert.match(page.text, /<img src="\/img\/sig\/[\w-]+"/);
      assert.match(page.headers.get('content-security-policy') ?? '', /img-src 'self' data:;/);
    } finally {
      await server.close();
      s.cleanup();
    }
  });

  test('img-src follows the image mode', async () => {
    const { imageSources } = await import('../../src/server/index.ts');
    assert.equal(imageSources({ mode: 'template', template: 'https://images.weserv.nl/?url={url_encoded}' }), "'self' data: https://images.weserv.nl");
    assert.equal(imageSources(undefined), "'self' data: https:");
    assert.equal(imageSources({ mode: 'none' }), "'self' data: https:");
  });
});
