// The APIs as the web reader's own server (buildServer) mounts them: its
// session, its CSRF token, its hooks, its /settings page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { renderApiSettings } from '../../src/api/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { buildServer } from '../../src/server/index.ts';
import { openStore, type Database } from '../../src/store/index.ts';

const PASSWORD = 'correct horse battery staple';
let dir: string;
let db: Database;
let app: FastifyInstance;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fm-api-mount-'));
  const config = loadConfig({ dataDir: dir, env: {} });
  db = openStore(config.dbPath);
  app = await buildServer(config, db, { adminPassword: PASSWORD, log: () => undefined });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
after(async () => {
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('rotating from a logged-in reader session; the new password opens every API', async () => {
  assert.equal((await fetch(`${base}/v1/me`, { headers: { 'X-Auth-Token': 'x' } })).status, 401);
  const login = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ password: PASSWORD, next: '/' }), redirect: 'manual' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  assert.match(cookie, /^fm_session=/);
  const page = await (await fetch(`${base}/settings`, { headers: { cookie } })).text();
  assert.match(page, /\/api\/greader\.php/, 'the settings page shows the API section');
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1];
  assert.ok(csrf);
  const anon = await fetch(`${base}/settings/api/rotate`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf }) });
  assert.equal(anon.status, 401);
  const noToken = await fetch(`${base}/settings/api/rotate`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({}) });
  assert.equal(noToken.status, 403);
  const r = await fetch(`${base}/settings/api/rotate`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf }) });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/, 'the reader\'s headers apply');
  const html = await r.text();
  const password = /class="api-password">([A-Za-z0-9]{24})</.exec(html)?.[1];
  assert.ok(password, html);
  assert.equal((await fetch(`${base}/v1/me`, { headers: { 'X-Auth-Token': password } })).status, 200);
  const cl = await fetch(`${base}/api/greader.php/accounts/ClientLogin`, { method: 'POST', body: new URLSearchParams({ Email: 'admin', Passwd: password }) });
  assert.equal(cl.status, 200);
  const fever = await fetch(`${base}/fever/?api`, { method: 'POST', body: new URLSearchParams({ api_key: (await import('node:crypto')).createHash('md5').update(`admin:${password}`).digest('hex') }) });
  assert.equal(((await fever.json()) as { auth: number }).auth, 1);
  // The reader's own pages are untouched.
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
});

test('renderApiSettings escapes what it shows', () => {
  const html = renderApiSettings({ csrf: '"><script>', base: 'http://h"x:8080/', info: { account: 'admin', username: '<b>', created: 0 } });
  assert.doesNotMatch(html, /<script>|<b>|h"x/);
  assert.match(html, /http:\/\/h&#34;x:8080\/api\/greader\.php/);
  assert.match(html, /action="\/settings\/api\/rotate"/);
});
