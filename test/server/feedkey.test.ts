// The feed key: feed reader apps (no session cookie) read a private server's
// republished feeds through URLs that carry it. Real server on 127.0.0.1, real
// SQLite file in a temp data dir.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.ts';
import { isFeedKey, redactKey } from '../../src/publish/index.ts';
import { startServer, type ServerHandle } from '../../src/server/index.ts';
import { REFERENCE_TITLE, seed, type Seeded } from './seed.ts';

const PASSWORD = 'correct horse battery staple';
const SITE = encodeURIComponent('美国之音');

async function login(base: string): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ password: PASSWORD, next: '/' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(r.status, 303);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  const page = await (await fetch(`${base}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1];
  assert.ok(csrf);
  return { cookie, csrf };
}

/** The key shown on the settings page (and the page's text). */
async function shownKey(base: string, cookie: string): Promise<{ key: string; page: string }> {
  const r = await fetch(`${base}/settings`, { headers: { cookie } });
  assert.equal(r.status, 200);
  const page = await r.text();
  const key = /\/feeds\/all\.rss\?key=([\w-]+)/.exec(page)?.[1];
  assert.ok(key, 'the settings page shows the keyed URL of all items');
  return { key, page };
}

describe('feed key on a private server', () => {
  let s: Seeded;
  let server: ServerHandle;
  let base: string;
  let admin: { cookie: string; csrf: string };
  let key: string;
  const lines: string[] = [];
  before(async () => {
    s = await seed({ extra: 4, index: false });
    server = await startServer(s.config, s.db, { port: 0, adminPassword: PASSWORD, log: (l) => lines.push(l) });
    base = server.url;
    admin = await login(base);
  });
  after(async () => {
    await server.close();
    s.cleanup();
  });

  test('before any key exists, a key in the URL opens nothing', async () => {
    assert.equal(s.db.prepare('SELECT count(*) FROM feed_keys').pluck().get(), 0, 'made on first need, not at start');
    const r = await fetch(`${base}/feeds/all.rss?key=${'A'.repeat(32)}`);
    assert.equal(r.status, 401);
    assert.equal(await r.text(), 'log in to read the feeds');
  });

  test('the settings page lists the keyed URLs (all, each site) and a CSRF-protected replace form', async () => {
    const shown = await shownKey(base, admin.cookie);
    key = shown.key;
    assert.match(key, /^[\w-]{32}$/, '32 base64url characters: 192 bits');
    assert.equal(s.db.prepare("SELECT key FROM feed_keys WHERE name = 'feeds'").pluck().get(), key, 'stored');
    assert.ok(shown.page.includes(`${base}/feeds/all.rss?key=${key}`));
    assert.ok(shown.page.includes(`${base}/feeds/all.atom?key=${key}`));
    assert.ok(shown.page.includes(`${base}/feeds/site/${SITE}.rss?key=${key}`), 'per site');
    assert.ok(shown.page.includes(`${base}/feeds/site/Example%20News.json?key=${key}`));
    assert.match(shown.page, /<form method="post" action="\/settings\/feeds\/key">\s*<input type="hidden" name="_csrf" value="[^"]+">/);
    assert.equal((await shownKey(base, admin.cookie)).key, key, 'the same key on the next visit');
    const anon = await fetch(`${base}/settings`, { redirect: 'manual' });
    assert.equal(anon.status, 303, 'settings stay administrator only');
    assert.ok(!(await anon.text()).includes(key));
  });

  test('no session and no key, or a wrong key: refused as before', async () => {
    const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const path of [
      '/feeds/all.rss', `/feeds/all.rss?key=${wrong}`, `/feeds/all.rss?key=${key.slice(0, 31)}`, `/feeds/all.rss?key=${key}x`,
      `/feeds/all.rss?key=`, `/feeds/all.rss?key=${key}&key=${key}`, `/feeds/all.rss?KEY=${key}`, `/feeds/site/${SITE}.atom?key=${wrong}`,
    ]) {
      const r = await fetch(base + path);
      assert.equal(r.status, 401, path);
      const text = await r.text();
      assert.equal(text, 'log in to read the feeds', path);
      assert.ok(!text.includes(key));
    }
  });

  test('the right key: 200 without a session; self links keep the key, article links do not get it', async () => {
    const rss = await fetch(`${base}/feeds/all.rss?key=${key}`);
    assert.equal(rss.status, 200);
    assert.match(rss.headers.get('content-type') ?? '', /application\/rss\+xml/);
    assert.equal(rss.headers.get('cache-control'), 'private, no-cache');
    const rssText = await rss.text();
    assert.ok(rssText.includes(REFERENCE_TITLE));
    assert.ok(rssText.includes(`<atom:link rel="self" type="application/rss+xml" href="${base}/feeds/all.rss?key=${key}"/>`));
    assert.equal(rssText.split(key).length - 1, 1, 'the key only in the self link');

    const atom = await (await fetch(`${base}/feeds/site/${SITE}.atom?key=${key}`)).text();
    assert.ok(atom.includes(`<link rel="self" type="application/atom+xml" href="${base}/feeds/site/${SITE}.atom?key=${key}"/>`));
    assert.ok(atom.includes(`<link rel="alternate" type="text/html" href="${base}/"/>`), 'the home link has no key');

    const json = (await (await fetch(`${base}/feeds/all.json?key=${key}`)).json()) as { feed_url: string; home_page_url: string; items: { url?: string }[] };
    assert.equal(json.feed_url, `${base}/feeds/all.json?key=${key}`);
    assert.equal(json.home_page_url, `${base}/`);
    assert.ok(json.items.length > 0);
    assert.ok(json.items.every((i) => !JSON.stringify(i).includes(key)), 'items carry no key');

    const head = await fetch(`${base}/feeds/all.rss?key=${key}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  test('a keyed and an unkeyed request never get each other\'s body or validator', async () => {
    const keyed = await fetch(`${base}/feeds/all.atom?key=${key}`);
    const keyedEtag = keyed.headers.get('etag');
    assert.ok((await keyed.text()).includes(key));
    // The same feed with the session only: the cached keyed body must not come back.
    const plain = await fetch(`${base}/feeds/all.atom`, { headers: { cookie: admin.cookie } });
    assert.equal(plain.status, 200);
    assert.notEqual(plain.headers.get('etag'), keyedEtag);
    const plainText = await plain.text();
    assert.ok(!plainText.includes(key));
    assert.ok(plainText.includes(`href="${base}/feeds/all.atom"/>`));
    // The keyed tag does not validate an unkeyed request...
    const cond = await fetch(`${base}/feeds/all.atom`, { headers: { cookie: admin.cookie, 'if-none-match': keyedEtag! } });
    assert.equal(cond.status, 200);
    assert.ok(!(await cond.text()).includes(key));
    // ...and an unkeyed session request is answered without the key even when it names one that is wrong.
    const wrongWithSession = await fetch(`${base}/feeds/all.atom?key=${'B'.repeat(32)}`, { headers: { cookie: admin.cookie } });
    assert.equal(wrongWithSession.status, 200);
    assert.ok(!(await wrongWithSession.text()).includes(key));
    // A keyed request still revalidates with its own tag.
    assert.equal((await fetch(`${base}/feeds/all.atom?key=${key}`, { headers: { 'if-none-match': keyedEtag! } })).status, 304);
  });

  test('replacing the key: CSRF required; the old URLs stop at once, the new ones work', async () => {
    const noToken = await fetch(`${base}/settings/feeds/key`, {
      method: 'POST', redirect: 'manual', headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: '',
    });
    assert.equal(noToken.status, 403);
    const anon = await fetch(`${base}/settings/feeds/key`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: admin.csrf }),
    });
    assert.equal(anon.status, 401);
    assert.equal((await fetch(`${base}/feeds/all.rss?key=${key}`)).status, 200, 'refused attempts changed nothing');

    const r = await fetch(`${base}/settings/feeds/key`, {
      method: 'POST', redirect: 'manual', headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: admin.csrf }),
    });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/settings?feedkey=new#feeds');
    const old = key;
    const notice = await (await fetch(`${base}/settings?feedkey=new`, { headers: { cookie: admin.cookie } })).text();
    assert.match(notice, /New feed key/);
    const shown = await shownKey(base, admin.cookie);
    assert.doesNotMatch(shown.page, /New feed key/);
    key = shown.key;
    assert.notEqual(key, old);
    assert.ok(!shown.page.includes(old));
    assert.equal((await fetch(`${base}/feeds/all.rss?key=${old}`)).status, 401);
    assert.equal((await fetch(`${base}/feeds/site/${SITE}.json?key=${old}`)).status, 401);
    const fresh = await fetch(`${base}/feeds/all.rss?key=${key}`);
    assert.equal(fresh.status, 200);
    assert.ok((await fresh.text()).includes(`?key=${key}"`));
  });

  test('the key survives a restart on the same data directory', async () => {
    await server.close();
    s.db.close();
    s.db = openStore(s.config.dbPath);
    server = await startServer(s.config, s.db, { port: 0, adminPassword: PASSWORD, log: (l) => lines.push(l) });
    base = server.url;
    const r = await fetch(`${base}/feeds/all.json?key=${key}`);
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { feed_url: string }).feed_url, `${base}/feeds/all.json?key=${key}`);
    assert.equal((await fetch(`${base}/feeds/all.json`)).status, 401);
  });

  test('feedmirror feeds urls prints the same keyed URLs; --new-key replaces the key', async () => {
    const cli = (...args: string[]) => new Promise<string>((ok, fail) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'feeds', 'urls', '--data', s.dir, ...args], { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
        (err, stdout, stderr) => (err ? fail(new Error(`${err.message}: ${stderr}`)) : ok(stdout)));
    });
    const out = (await cli('--base-url', `${base}/`)).trim().split('\n');
    assert.equal(out[0], `all\t-\t${base}/feeds/all.rss?key=${key}`);
    assert.ok(out.includes(`site\t美国之音\t${base}/feeds/site/${SITE}.rss?key=${key}`));
    const siteUrl = out.find((l) => l.startsWith('site\tExample News\t'))!.split('\t')[2];
    assert.equal((await fetch(siteUrl)).status, 200);

    const renewed = (await cli('--new-key', '--format', 'atom', '--base-url', `${base}/`)).trim().split('\n');
    const fresh = /\?key=([\w-]{32})$/.exec(renewed[0])?.[1];
    assert.ok(fresh && fresh !== key);
    assert.equal(renewed[0], `all\t-\t${base}/feeds/all.atom?key=${fresh}`);
    assert.equal((await fetch(siteUrl)).status, 401, 'the running server refuses the old key at once');
    assert.equal((await fetch(renewed[0].split('\t')[2])).status, 200);
    key = fresh;
  });

  test('the key is never logged', () => {
    assert.ok(lines.every((l) => !l.includes(key)));
  });
});

describe('feed key in public mode', () => {
  test('feeds open to all, no key in feeds or settings even when one exists', async () => {
    const s = await seed({ extra: 2, index: false });
    try {
      s.db.prepare("INSERT INTO feed_keys (name, key, created) VALUES ('feeds', ?, 0)").run('K'.repeat(32));
      const server = await startServer(s.config, s.db, { port: 0, public: true, adminPassword: PASSWORD, log: () => {} });
      try {
        const base = server.url;
        const plain = await fetch(`${base}/feeds/all.rss`);
        assert.equal(plain.status, 200);
        assert.equal(plain.headers.get('cache-control'), 'no-cache');
        assert.ok((await plain.text()).includes(`href="${base}/feeds/all.rss"/>`));
        const keyed = await fetch(`${base}/feeds/all.rss?key=${'K'.repeat(32)}`);
        assert.equal(keyed.status, 200);
        const text = await keyed.text();
        assert.ok(!text.includes('K'.repeat(32)), 'a public server echoes no key');
        assert.ok(text.includes(`href="${base}/feeds/all.rss"/>`));
        const admin = await login(base);
        const page = await (await fetch(`${base}/settings`, { headers: { cookie: admin.cookie } })).text();
        assert.ok(page.includes(`${base}/feeds/all.rss</code>`), 'plain URLs');
        assert.ok(!page.includes('K'.repeat(32)));
        assert.ok(!page.includes('action="/settings/feeds/key"'));
      } finally {
        await server.close();
      }
    } finally {
      s.cleanup();
    }
  });
});

describe('feed key helpers', () => {
  test('isFeedKey: exact match of a well-formed key only', () => {
    const k = 'abcdefghijklmnopqrstuvwxyz012_-A';
    assert.equal(isFeedKey(k, k), true);
    assert.equal(isFeedKey(k, undefined), false);
    assert.equal(isFeedKey(k.toUpperCase(), k), false);
    assert.equal(isFeedKey([k], k), false);
    assert.equal(isFeedKey(`${k} `, k), false);
    assert.equal(isFeedKey('', ''), false);
  });
  test('redactKey hides the key in logged URLs', () => {
    assert.equal(redactKey('/feeds/all.rss?key=abc'), '/feeds/all.rss?key=REDACTED');
    assert.equal(redactKey('/feeds/all.rss?x=1&key=abc&y=2'), '/feeds/all.rss?x=1&key=REDACTED&y=2');
    assert.equal(redactKey('/feeds/all.rss'), '/feeds/all.rss');
  });
});
