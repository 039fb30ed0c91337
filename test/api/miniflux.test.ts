// Miniflux API v1 shapes as https://miniflux.app/docs/api.html gives them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, type Env } from './helpers.ts';

describe('Miniflux API v1', () => {
  let env: Env;
  let get: (path: string, init?: RequestInit) => Promise<{ status: number; json: any }>;
  before(async () => {
    env = await setup();
    get = async (path, init = {}) => {
      const r = await fetch(env.base + path, { ...init, headers: { 'X-Auth-Token': env.password, ...(init.headers as object) } });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : undefined };
    };
  });
  after(() => env.close());

  test('auth: token, basic, and refusals', async () => {
    assert.equal((await fetch(`${env.base}/v1/me`)).status, 401);
    assert.equal((await fetch(`${env.base}/v1/me`, { headers: { 'X-Auth-Token': 'wrong' } })).status, 401);
    const basic = Buffer.from(`${env.username}:${env.password}`).toString('base64');
    const r = await fetch(`${env.base}/v1/me`, { headers: { Authorization: `Basic ${basic}` } });
    assert.equal(r.status, 200);
    const me = (await r.json()) as { username: string; is_admin: boolean; id: number };
    assert.equal(me.username, 'admin');
    assert.equal(me.is_admin, true);
    const bad = Buffer.from(`${env.username}:nope`).toString('base64');
    assert.equal((await fetch(`${env.base}/v1/me`, { headers: { Authorization: `Basic ${bad}` } })).status, 401);
  });

  test('feeds and categories', async () => {
    const { json: feeds } = await get('/v1/feeds');
    assert.equal(feeds.length, 2);
    const voa = feeds.find((f: any) => f.id === env.voa);
    assert.equal(voa.title, 'VOA 中文');
    assert.equal(voa.feed_url, 'https://www.voachinese.com/api/feed.xml');
    assert.equal(voa.category.title, '新闻');
    assert.equal(typeof voa.category.id, 'number');
    const bbc = feeds.find((f: any) => f.id === env.bbc);
    assert.equal(bbc.category.title, 'All');
    const { json: cats } = await get('/v1/categories');
    assert.deepEqual(cats.map((c: any) => c.title).sort(), ['All', '新闻']);
    assert.ok(cats.every((c: any) => c.id > 0 && c.user_id === 1));
    assert.equal(cats.find((c: any) => c.title === '新闻').id, voa.category.id);
  });

  test('entries: shape, filters, order, paging', async () => {
    const { json } = await get('/v1/entries?status=unread&limit=3&order=id&direction=desc');
    assert.equal(json.total, 10);
    assert.equal(json.entries.length, 3);
    const e = json.entries[0];
    for (const k of ['id', 'user_id', 'feed_id', 'status', 'hash', 'title', 'url', 'comments_url', 'published_at', 'created_at', 'changed_at',
      'content', 'author', 'share_code', 'starred', 'reading_time', 'enclosures', 'feed', 'tags']) assert.ok(k in e, k);
    assert.equal(e.status, 'unread');
    assert.match(e.published_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(json.entries[0].id > json.entries[1].id);
    const { json: page2 } = await get(`/v1/entries?limit=3&order=id&direction=desc&before_entry_id=${json.entries[2].id}`);
    assert.ok(page2.entries.every((x: any) => x.id < json.entries[2].id));
    const { json: byFeed } = await get(`/v1/feeds/${env.voa}/entries?order=published_at&direction=desc&limit=100`);
    assert.equal(byFeed.total, 6);
    assert.ok(byFeed.entries.every((x: any) => x.feed_id === env.voa && x.feed.title === 'VOA 中文'));
    assert.equal(byFeed.entries[0].title, '美国之音 第6条');
    const { json: byCat } = await get(`/v1/entries?category_id=${byFeed.entries[0].feed.category.id}`);
    assert.equal(byCat.total, 6);
    const { json: asc } = await get(`/v1/entries?feed_id=${env.bbc}&order=published_at&direction=asc`);
    assert.equal(asc.entries[0].title, 'BBC 第1条');
    assert.equal((await get('/v1/entries?limit=abc')).status, 400);
    assert.equal((await get('/v1/feeds/9999/entries')).status, 404);
  });

  test('content: sanitized, images rewritten like the reader', async () => {
    const id = env.ids.get('BBC 第1条')!;
    const { json } = await get(`/v1/entries/${id}`);
    assert.doesNotMatch(json.content, /<script|onerror|javascript:/i);
    assert.match(json.content, /https:\/\/images\.example\.net\/\?u=https:\/\/img\.example\.org\/a\.jpg/);
  });

  test('PUT /v1/entries marks read and unread; bookmark toggles', async () => {
    const id = env.ids.get('美国之音 第2条')!;
    const put = (path: string, body?: unknown) => fetch(env.base + path, {
      method: 'PUT', headers: { 'X-Auth-Token': env.password, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    assert.equal((await put('/v1/entries', { entry_ids: [id], status: 'read' })).status, 204);
    assert.equal((env.db.prepare('SELECT read FROM item_state WHERE item_id = ?').pluck().get(id)), 1);
    const { json } = await get('/v1/entries?status=unread');
    assert.equal(json.total, 9);
    assert.equal((await get('/v1/entries?status=read')).json.entries[0].id, id);
    assert.equal((await put('/v1/entries', { entry_ids: [id], status: 'unread' })).status, 204);
    assert.equal((env.db.prepare('SELECT read FROM item_state WHERE item_id = ?').pluck().get(id)), 0);
    assert.equal((await put('/v1/entries', { entry_ids: ['x'], status: 'read' })).status, 400);
    assert.equal((await put('/v1/entries', { entry_ids: [id], status: 'gone' })).status, 400);
    // curl's default content type for a body (what newsboat sends).
    const r = await fetch(`${env.base}/v1/entries`, {
      method: 'PUT', headers: { 'X-Auth-Token': env.password, 'content-type': 'application/x-www-form-urlencoded' }, body: JSON.stringify({ entry_ids: [id], status: 'read' }),
    });
    assert.equal(r.status, 204);
    assert.equal((env.db.prepare('SELECT read FROM item_state WHERE item_id = ?').pluck().get(id)), 1);
    assert.equal((await put(`/v1/entries/${id}/bookmark`)).status, 204);
    assert.equal((await get(`/v1/entries?starred=true`)).json.entries[0].id, id);
    assert.equal((await put(`/v1/entries/${id}/bookmark`)).status, 204);
    assert.equal((await get(`/v1/entries?starred=true`)).json.total, 0);
    assert.equal((await put('/v1/entries/999999/bookmark')).status, 404);
  });

  test('settings: rotating needs a session and the CSRF token; the old password stops working', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${env.base}/settings/api/rotate`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    assert.equal((await post({}, '_csrf=the-csrf-token-123')).status, 401);
    assert.equal((await post({ 'x-test-session': 'yes' }, '_csrf=wrong')).status, 403);
    assert.equal((await post({ 'x-test-session': 'yes', origin: 'https://evil.example' }, '_csrf=the-csrf-token-123')).status, 403);
    const r = await post({ 'x-test-session': 'yes', accept: 'application/json' }, '_csrf=the-csrf-token-123');
    assert.equal(r.status, 200);
    const { password } = (await r.json()) as { password: string };
    assert.match(password, /^[A-Za-z0-9]{24}$/);
    assert.equal((await fetch(`${env.base}/v1/me`, { headers: { 'X-Auth-Token': env.password } })).status, 401);
    assert.equal((await fetch(`${env.base}/v1/me`, { headers: { 'X-Auth-Token': password } })).status, 200);
    const page = await post({ 'x-test-session': 'yes' }, '_csrf=the-csrf-token-123');
    const html = await page.text();
    assert.match(html, /class="api-password">[A-Za-z0-9]{24}</);
    assert.match(html, /\/api\/greader\.php/);
    env.password = /class="api-password">([A-Za-z0-9]{24})</.exec(html)![1];
  });
});
