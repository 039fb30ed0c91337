// `feedmirror run` as a real process: the mirror archives a feed served on
// 127.0.0.1 and one server answers for the reader, the image proxy, the
// republished feeds and the sync APIs; SIGTERM stops it cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.ts';
import { addSubscription } from '../../src/subscribe/index.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = 'integration-password-1';
const TITLE = '集成测试：镜像与阅读器同在一个进程';
// PNG magic and a header chunk: what the proxy checks (it serves what the bytes show).
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const TEMP = /^\..*\.tmp-\d+-[0-9a-f]{12}$/;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env, FEEDMIRROR_DATA: '', FEEDMIRROR_CONFIG: '', FEEDMIRROR_HOST: '', FEEDMIRROR_PORT: '', FEEDMIRROR_PUBLIC: '',
    FEEDMIRROR_IMAGE_MODE: '', FEEDMIRROR_ADMIN_PASSWORD: PASSWORD, ...extra,
  };
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...files(join(dir, e.name)).map((f) => `${e.name}/${f}`));
    else out.push(e.name);
  }
  return out;
}

/** The process's output so far, and a wait for a pattern in it (or its exit). */
function watch(child: ChildProcess): { text: () => string; until: (re: RegExp) => Promise<RegExpExecArray>; exit: Promise<number | null> } {
  let out = '';
  const waiters: (() => void)[] = [];
  const feed = (d: string): void => {
    out += d;
    for (const w of [...waiters]) w();
  };
  child.stdout!.setEncoding('utf8').on('data', feed);
  child.stderr!.setEncoding('utf8').on('data', feed);
  const exit = new Promise<number | null>((ok) => child.once('close', (code) => {
    ok(code);
    for (const w of [...waiters]) w();
  }));
  const until = (re: RegExp): Promise<RegExpExecArray> => new Promise((ok, fail) => {
    const check = (): void => {
      const m = re.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(check), 1);
        ok(m);
      } else if (child.exitCode !== null || child.signalCode !== null) fail(new Error(`exited before ${re}: ${out}`));
    };
    waiters.push(check);
    check();
  });
  return { text: () => out, until, exit };
}

test('feedmirror run: mirror and web server in one process', { timeout: 40_000 }, async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'fm-integration-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));

  // The origin: one feed whose item has an image with a long URL (longer than a route parameter may be).
  const hits: string[] = [];
  const origin: Server = createHttpServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/feed.xml') {
      res.setHeader('content-type', 'application/rss+xml; charset=utf-8');
      res.end(feedXml);
    } else if (req.url?.startsWith('/pic.png')) {
      res.setHeader('content-type', 'image/png');
      res.end(PNG);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((ok) => origin.listen(0, '127.0.0.1', ok));
  t.after(() => new Promise<void>((ok) => {
    origin.closeAllConnections();
    origin.close(() => ok());
  }));
  const base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  const imageUrl = `${base}/pic.png?v=${'0123456789'.repeat(60)}`;
  const feedXml = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>本地新闻</title><link>${base}/</link><description>test</description>
<item><title>${TITLE}</title><link>${base}/a/1</link><guid>${base}/a/1</guid><pubDate>${new Date().toUTCString()}</pubDate>
<description><![CDATA[<p>一段足够长的正文，说明这篇文章已经被镜像存档，并且在阅读器中显示出来。</p><p><img src="${imageUrl}" alt="图"></p>]]></description></item>
</channel></rss>`;

  writeFileSync(join(data, 'feedmirror.json'), JSON.stringify({
    allow: ['127.0.0.1'], starter: false, perHostInterval: 0,
    server: { host: '127.0.0.1', port: 0 }, images: { mode: 'proxy' },
  }));
  const db = openStore(join(data, 'feedmirror.db'));
  addSubscription(db, `${base}/feed.xml`, { site: '本地新闻', fulltext: 'never' });
  db.close();

  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--data', data], { cwd: repo, env: env() });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const out = watch(child);
  const url = (await out.until(/web reader at (http:\/\/127\.0\.0\.1:\d+)/))[1];
  await out.until(/cycle: 1 feeds \(1 updated, 0 not modified, 0 failed\); 1 new/);

  const health = await fetch(`${url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');

  // Private reader: a login first.
  assert.equal((await fetch(`${url}/`, { redirect: 'manual' })).status, 303);
  const login = await fetch(`${url}/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ password: PASSWORD, next: '/' }) });
  assert.equal(login.status, 303);
  const cookie = /fm_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0];
  assert.ok(cookie, 'a session cookie');
  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${url}${path}`, { headers: { cookie, ...headers }, redirect: 'manual' });

  const list = await get('/');
  const listHtml = await list.text();
  assert.equal(list.status, 200);
  assert.ok(listHtml.includes(TITLE), 'the archived item is listed');
  const id = /href="\/item\/(\d+)"/.exec(listHtml)?.[1];
  assert.ok(id);
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(listHtml)?.[1];
  assert.ok(csrf);

  // The article's image goes through our signed proxy, and the CSP allows only ourselves for images.
  const article = await get(`/item/${id}`);
  const articleHtml = await article.text();
  assert.equal(article.status, 200);
  assert.match(article.headers.get('content-security-policy') ?? '', /img-src 'self' data:;/);
  const img = /<img[^>]* src="(\/img\/[\w-]{43}\/[\w-]+)"/.exec(articleHtml)?.[1];
  assert.ok(img, `a proxied image in ${articleHtml.slice(0, 2000)}`);
  assert.ok(img.split('/').pop()!.length > 500, 'longer than a route parameter may be (maxParamLength 500)');
  const before = hits.filter((h) => h.startsWith('/pic.png')).length;
  const pic = await fetch(`${url}${img}`); // no session: feed readers and apps load images too
  assert.equal(pic.status, 200);
  assert.equal(pic.headers.get('content-type'), 'image/png');
  assert.equal(pic.headers.get('content-security-policy'), "default-src 'none'; sandbox");
  assert.equal(pic.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(Buffer.from(await pic.arrayBuffer()), PNG);
  assert.equal(hits.filter((h) => h.startsWith('/pic.png')).length, before + 1, 'fetched from the origin once');
  assert.equal((await fetch(`${url}${img}`)).status, 200);
  assert.equal(hits.filter((h) => h.startsWith('/pic.png')).length, before + 1, 'then from the cache');
  const forged = img.replace(/\/img\/[\w-]{43}\//, `/img/${'A'.repeat(43)}/`);
  assert.equal((await fetch(`${url}${forged}`)).status, 403);

  // Republished feeds follow the reader's login rule.
  assert.equal((await fetch(`${url}/feeds/all.rss`)).status, 401);
  const rss = await get('/feeds/all.rss');
  assert.equal(rss.status, 200);
  assert.match(rss.headers.get('content-type') ?? '', /rss\+xml/);
  const rssText = await rss.text();
  assert.ok(rssText.includes(TITLE));
  assert.ok(rssText.includes('/img/'), 'feed images leave through the proxy too');

  // Sync APIs: make an API password from the settings, then the Miniflux API answers with it.
  const settings = await get('/settings');
  assert.equal(settings.status, 200);
  assert.match(await settings.text(), /action="\/settings\/api\/rotate"/);
  assert.equal((await fetch(`${url}/settings`, { redirect: 'manual' })).status, 303);
  const rotate = await fetch(`${url}/settings/api/rotate`, { method: 'POST', headers: { cookie: cookie!, 'x-csrf-token': csrf, accept: 'application/json' } });
  assert.equal(rotate.status, 200);
  const creds = (await rotate.json()) as { username: string; password: string };
  assert.equal((await fetch(`${url}/v1/me`)).status, 401);
  const me = await fetch(`${url}/v1/me`, { headers: { 'x-auth-token': creds.password } });
  assert.equal(me.status, 200);
  assert.equal(((await me.json()) as { username: string }).username, creds.username);
  const entries = await fetch(`${url}/v1/entries`, { headers: { 'x-auth-token': creds.password } });
  assert.equal(entries.status, 200);
  assert.ok(((await entries.json()) as { entries: { title: string }[] }).entries.some((e) => e.title === TITLE));

  child.kill('SIGTERM');
  assert.equal(await out.exit, 0, out.text());
  assert.match(out.text(), /SIGTERM: finishing the writes in flight/);
  assert.match(out.text(), /stopped\n$/);
  const archived = files(join(data, 'archive'));
  assert.ok(archived.some((f) => f.startsWith('articles/')), 'the item file is there');
  assert.deepEqual(archived.filter((f) => TEMP.test(f.split('/').pop()!)), [], 'no temporary files');
  t.diagnostic(`start to stop: ${Date.now() - started} ms`);
});

test('feedmirror run: a port in use is a one-line error and exit 1', { timeout: 20_000 }, async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'fm-integration-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const taken = createNetServer();
  await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', ok));
  t.after(() => new Promise<void>((ok) => taken.close(() => ok())));
  const port = (taken.address() as AddressInfo).port;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--data', data, '--no-starter', '--port', String(port)], { cwd: repo, env: env() });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.resume();
  const code = await new Promise<number | null>((ok) => child.once('close', ok));
  assert.equal(code, 1);
  assert.equal(err, `feedmirror run: cannot listen on 127.0.0.1:${port}: the port is in use (another feedmirror? choose one with --port, server.port or FEEDMIRROR_PORT)\n`);
});

test('feedmirror run: a bad server setting is named', { timeout: 20_000 }, async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'fm-integration-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  writeFileSync(join(data, 'feedmirror.json'), JSON.stringify({ server: { port: 'eighty' } }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--data', data], { cwd: repo, env: env() });
  const out = watch(child);
  assert.equal(await out.exit, 1);
  assert.match(out.text(), /feedmirror run: server\.port: expected an integer 0-65535/);
});

test('archive mode: /assets serves content-addressed copies, and nothing else', async (t) => {
  const { buildServer } = await import('../../src/server/index.ts');
  const { loadConfig } = await import('../../src/config/index.ts');
  const { assetPath } = await import('../../src/content/index.ts');
  const { mkdirSync, symlinkSync } = await import('node:fs');
  const data = mkdtempSync(join(tmpdir(), 'fm-integration-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const config = loadConfig({ dataDir: data, env: { FEEDMIRROR_IMAGE_MODE: 'archive' } });
  const db = openStore(config.dbPath);
  const app = await buildServer(config, db, { adminPassword: PASSWORD, log: () => {} });
  t.after(async () => {
    await app.close();
    db.close();
  });
  const rel = assetPath(PNG, 'png'); // assets/<2 hex>/<sha256>.png
  mkdirSync(join(data, 'archive', rel, '..'), { recursive: true });
  writeFileSync(join(data, 'archive', rel), PNG);
  writeFileSync(join(data, 'secret.txt'), 'not an image');
  const hash = rel.split('/')[2].slice(0, 64);
  // A symlink with an asset's name, planted in the archive, pointing out of it.
  const planted = `${'f'.repeat(64)}.png`;
  mkdirSync(join(data, 'archive', 'assets', 'ff'), { recursive: true });
  symlinkSync(join(data, 'secret.txt'), join(data, 'archive', 'assets', 'ff', planted));

  const ok = await app.inject({ method: 'GET', url: `/${rel}` });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers['content-type'], 'image/png');
  assert.equal(ok.headers['content-security-policy'], "default-src 'none'; sandbox");
  assert.equal(ok.headers['x-content-type-options'], 'nosniff');
  assert.match(String(ok.headers['cache-control']), /immutable/);
  assert.deepEqual(ok.rawPayload, PNG);
  const again = await app.inject({ method: 'GET', url: `/${rel}`, headers: { 'if-none-match': String(ok.headers.etag) } });
  assert.equal(again.statusCode, 304);
  assert.equal((await app.inject({ method: 'HEAD', url: `/${rel}` })).statusCode, 200);

  for (const bad of [
    `/assets/${hash.slice(0, 2)}/${hash}.svg`, // not a raster type we write
    `/assets/${hash.slice(0, 2)}/${hash.toUpperCase()}.png`,
    `/assets/00/${hash}.png`, // directory not the hash's
    `/assets/${hash.slice(0, 2)}/${hash.slice(1)}.png`,
    `/assets/${hash.slice(0, 2)}/..%2f..%2fsecret.txt`,
    '/assets/..%2f..%2f/secret.txt',
    '/assets/%2e%2e/%2e%2e%2fsecret.txt',
    `/assets/ff/${planted}`,
    `/assets/${hash.slice(0, 2)}/${'0'.repeat(64)}.png`, // well formed, not there
  ]) {
    const r = await app.inject({ method: 'GET', url: bad });
    assert.equal(r.statusCode, 404, bad);
    assert.ok(!r.body.includes('not an image'), bad);
  }
  // Archive mode's pages allow images from ourselves only.
  const login = await app.inject({ method: 'GET', url: '/login' });
  assert.match(String(login.headers['content-security-policy']), /img-src 'self' data:;/);
});

test('feedmirror run: a stray rejection is logged and survived; an uncaught exception shuts down with exit 1', { timeout: 25_000 }, async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'fm-integration-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  // Loaded before the CLI: faults on demand, from outside any request or cycle.
  const faults = join(data, 'faults.mjs');
  writeFileSync(faults, `process.on('SIGUSR2', () => { Promise.reject(new Error('stray rejection')); });
process.on('SIGHUP', () => { setImmediate(() => { throw new Error('boom'); }); });\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', faults, 'src/cli/main.ts', 'run', '--data', data, '--no-starter', '--port', '0'], { cwd: repo, env: env() });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const out = watch(child);
  const url = (await out.until(/web reader at (http:\/\/127\.0\.0\.1:\d+)/))[1];
  await out.until(/feedmirror running/);
  child.kill('SIGUSR2');
  const logged = JSON.parse((await out.until(/^\{.*unhandled promise rejection.*\}$/m))[0]) as { level: number; err: { message: string; stack: string } };
  assert.equal(logged.err.message, 'stray rejection');
  assert.match(logged.err.stack, /faults\.mjs/);
  assert.equal((await fetch(`${url}/healthz`)).status, 200, 'still serving');
  child.kill('SIGHUP');
  assert.equal(await out.exit, 1, out.text());
  const fatal = JSON.parse(/^\{.*uncaught exception.*\}$/m.exec(out.text())![0]) as { level: number; err: { message: string }; origin: string };
  assert.equal(fatal.err.message, 'boom');
  assert.equal(fatal.origin, 'uncaughtException');
  assert.match(out.text(), /uncaught exception: finishing the writes in flight/);
  await assert.rejects(fetch(`${url}/healthz`), 'the server is closed');
});

test('server settings: the config section and the environment are checked', async (t) => {
  const { serverSettings } = await import('../../src/server/index.ts');
  const { loadConfig } = await import('../../src/config/index.ts');
  const data = mkdtempSync(join(tmpdir(), 'fm-integration-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const load = (server: unknown) => {
    writeFileSync(join(data, 'feedmirror.json'), JSON.stringify({ server }));
    return loadConfig({ dataDir: data, env: {} });
  };
  const config = load({ host: '0.0.0.0', port: 8181, public: true });
  assert.deepEqual(serverSettings(config, {}), { host: '0.0.0.0', port: 8181, public: true });
  assert.deepEqual(serverSettings(config, { FEEDMIRROR_HOST: '::', FEEDMIRROR_PORT: '0', FEEDMIRROR_PUBLIC: 'no' }), { host: '::', port: 0, public: false });
  assert.deepEqual(serverSettings(load({}), {}), {});
  assert.throws(() => load({ port: 70000 }), /server\.port: expected an integer 0-65535/);
  assert.throws(() => load({ port: '8080' }), /server\.port/);
  assert.throws(() => load({ host: 'http://0.0.0.0' }), /server\.host: expected an address/);
  assert.throws(() => load({ public: 'yes' }), /server\.public: expected true or false/);
  assert.throws(() => load({ hostname: 'x' }), /server: unknown setting "hostname"/);
  assert.throws(() => load('8080'), /server: expected an object/);
  assert.throws(() => serverSettings(config, { FEEDMIRROR_PORT: '80a' }), /FEEDMIRROR_PORT: expected 0-65535/);
  assert.throws(() => serverSettings(config, { FEEDMIRROR_PORT: '99999' }), /server port: expected 0-65535/);
  assert.throws(() => serverSettings(config, { FEEDMIRROR_HOST: '127.0.0.1 ; rm' }), /FEEDMIRROR_HOST/);
  assert.throws(() => serverSettings(config, { FEEDMIRROR_PUBLIC: 'maybe' }), /FEEDMIRROR_PUBLIC/);
});
