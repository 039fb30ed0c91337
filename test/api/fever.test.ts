// The Fever API as https://feedafever.com/api documents it (and FreshRSS and
// Miniflux serve it): POST api_key=md5(username:password) to /fever/?api&...
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FORM, form, setup, type Env } from './helpers.ts';

describe('Fever API', () => {
  let env: Env;
  let key = '';
  const fever = async (query: string, body: Record<string, string> = {}) => {
    const r = await fetch(`${env.base}/fever/?api${query ? `&${query}` : ''}`, { method: 'POST', headers: FORM, body: form({ api_key: key, ...body }) });
    return { status: r.status, json: (await r.json()) as any };
  };
  before(async () => {
    env = await setup();
    key = createHash('md5').update(`${env.username}:${env.password}`).digest('hex');
  });
  after(() => env.close());

  test('auth', async () => {
    const good = await fever('');
    assert.equal(good.json.api_version, 3);
    assert.equal(good.json.auth, 1);
    assert.equal(typeof good.json.last_refreshed_on_time, 'number');
    const r = await fetch(`${env.base}/fever/?api`, { method: 'POST', headers: FORM, body: form({ api_key: 'f'.repeat(32) }) });
    assert.deepEqual(await r.json(), { api_version: 3, auth: 0 });
    const groups = await fetch(`${env.base}/fever/?api&groups`, { method: 'POST', headers: FORM, body: form({ api_key: 'nope' }) });
    assert.equal(((await groups.json()) as any).groups, undefined);
  });

  test('groups, feeds, feeds_groups, favicons', async () => {
    const g = (await fever('groups')).json;
    assert.deepEqual(g.groups.map((x: any) => x.title), ['新闻']);
    assert.deepEqual(g.feeds_groups, [{ group_id: g.groups[0].id, feed_ids: String(env.voa) }]);
    const f = (await fever('feeds')).json;
    assert.equal(f.feeds.length, 2);
    const voa = f.feeds.find((x: any) => x.id === env.voa);
    for (const k of ['id', 'favicon_id', 'title', 'url', 'site_url', 'is_spark', 'last_updated_on_time']) assert.ok(k in voa, k);
    assert.equal(voa.title, 'VOA 中文');
    const fav = (await fever('favicons')).json.favicons;
    assert.equal(fav[0].id, voa.favicon_id);
    assert.match(fav[0].data, /^image\/gif;base64,/);
  });

  test('items: since_id, max_id, with_ids; unread and saved ids', async () => {
    const first = (await fever('items&since_id=0')).json;
    assert.equal(first.total_items, 10);
    assert.equal(first.items.length, 10);
    const ids = first.items.map((x: any) => x.id);
    assert.deepEqual(ids, [...ids].sort((a: number, b: number) => a - b), 'since_id: ascending');
    const it = first.items[0];
    for (const k of ['id', 'feed_id', 'title', 'author', 'html', 'url', 'is_saved', 'is_read', 'created_on_time']) assert.ok(k in it, k);
    const since = (await fever(`items&since_id=${ids[6]}`)).json.items.map((x: any) => x.id);
    assert.deepEqual(since, ids.slice(7));
    const max = (await fever(`items&max_id=${ids[3]}`)).json.items.map((x: any) => x.id);
    assert.deepEqual(max, ids.slice(0, 3).reverse());
    const withIds = (await fever(`items&with_ids=${ids[1]},${ids[5]}`)).json.items.map((x: any) => x.id);
    assert.deepEqual(withIds, [ids[1], ids[5]]);
    const hostile = first.items.find((x: any) => x.title === 'BBC 第1条');
    assert.doesNotMatch(hostile.html, /<script|onerror|javascript:/i);
    const unread = (await fever('unread_item_ids')).json.unread_item_ids;
    assert.equal(unread, ids.join(','));
    assert.equal((await fever('saved_item_ids')).json.saved_item_ids, '');
  });

  test('mark item read/saved/unsaved/unread; feed and group with before', async () => {
    const id = env.ids.get('BBC 第2条')!;
    const r = (await fever('', { mark: 'item', as: 'read', id: String(id) })).json;
    assert.ok(!r.unread_item_ids.split(',').includes(String(id)));
    await fever('', { mark: 'item', as: 'saved', id: String(id) });
    assert.equal((await fever('saved_item_ids')).json.saved_item_ids, String(id));
    await fever('', { mark: 'item', as: 'unsaved', id: String(id) });
    await fever('', { mark: 'item', as: 'unread', id: String(id) });
    assert.deepEqual(env.db.prepare('SELECT read, starred FROM item_state WHERE item_id = ?').get(id), { read: 0, starred: 0 });
    // before = a time before every item: nothing is marked.
    await fever('', { mark: 'feed', as: 'read', id: String(env.bbc), before: '1000' });
    assert.equal((await fever('unread_item_ids')).json.unread_item_ids.split(',').length, 10);
    const now = String(Math.floor(Date.now() / 1000));
    await fever('', { mark: 'feed', as: 'read', id: String(env.bbc), before: now });
    assert.equal((await fever('unread_item_ids')).json.unread_item_ids.split(',').length, 6);
    const group = (await fever('groups')).json.groups[0].id;
    const done = (await fever('', { mark: 'group', as: 'read', id: String(group), before: now })).json;
    assert.equal(done.unread_item_ids, '');
    assert.equal((await fever('', { mark: 'item', as: 'bogus', id: String(id) })).status, 400);
    assert.equal((await fever('', { mark: 'item', as: 'read', id: 'x' })).status, 400);
  });
});
