// The Google Reader API as FreshRSS documents and serves it
// (https://freshrss.github.io/FreshRSS/en/developers/06_GoogleReader_API.html):
// the request sequence NetNewsWire and Reeder use, then edits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { longId, parseItemId } from '../../src/api/index.ts';
import { FORM, form, setup, type Env } from './helpers.ts';

const READ = 'user/-/state/com.google/read';
const STARRED = 'user/-/state/com.google/starred';
const RL = 'user/-/state/com.google/reading-list';

describe('Google Reader API', () => {
  let env: Env;
  let auth = '';
  let T = '';
  const api = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(`${env.base}/api/greader.php${path}`, { ...init, headers: { Authorization: `GoogleLogin auth=${auth}`, ...(init.headers as object) } });
    const text = await r.text();
    return { status: r.status, text, json: /json/.test(r.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
  };
  const post = (path: string, body: Record<string, string | string[]>) => api(path, { method: 'POST', headers: FORM, body: form({ T, ...body }) });
  before(async () => {
    env = await setup();
  });
  after(() => env.close());

  test('item ids: long, short decimal and short hex', () => {
    assert.equal(longId(26), 'tag:google.com,2005:reader/item/000000000000001a');
    assert.equal(parseItemId('tag:google.com,2005:reader/item/000000000000001a'), 26);
    assert.equal(parseItemId('26'), 26);
    assert.equal(parseItemId('000000000000001a'), 26);
    assert.equal(parseItemId('0000000000000010'), 16);
    assert.equal(parseItemId('abc'), undefined);
    assert.equal(parseItemId('-5'), undefined);
  });

  test('ClientLogin, token, user-info', async () => {
    const bad = await fetch(`${env.base}/api/greader.php/accounts/ClientLogin`, { method: 'POST', headers: FORM, body: form({ Email: env.username, Passwd: 'wrong' }) });
    assert.equal(bad.status, 401);
    assert.match(await bad.text(), /Error=BadAuthentication/);
    const r = await fetch(`${env.base}/api/greader.php/accounts/ClientLogin`, { method: 'POST', headers: FORM, body: form({ Email: env.username, Passwd: env.password }) });
    assert.equal(r.status, 200);
    const text = await r.text();
    const m = /^SID=(\S+)\nLSID=\S+\nAuth=(\S+)\n$/.exec(text);
    assert.ok(m, text);
    auth = m[2];
    assert.equal((await fetch(`${env.base}/reader/api/0/user-info`)).status, 401);
    const tok = await api('/reader/api/0/token');
    assert.equal(tok.status, 200);
    T = tok.text.trim();
    assert.ok(T.length >= 40);
    const info = await api('/reader/api/0/user-info');
    assert.equal(info.json.userName, 'admin');
    // The alias without greader.php answers the same.
    const alias = await fetch(`${env.base}/reader/api/0/user-info`, { headers: { Authorization: `GoogleLogin auth=${auth}` } });
    assert.equal(alias.status, 200);
  });

  test('subscription/list, tag/list, unread-count', async () => {
    const subs = (await api('/reader/api/0/subscription/list?output=json')).json.subscriptions;
    assert.equal(subs.length, 2);
    const voa = subs.find((s: any) => s.id === `feed/${env.voa}`);
    assert.equal(voa.title, 'VOA 中文');
    assert.equal(voa.url, 'https://www.voachinese.com/api/feed.xml');
    assert.deepEqual(voa.categories, [{ id: 'user/-/label/新闻', label: '新闻' }]);
    const tags = (await api('/reader/api/0/tag/list?output=json')).json.tags;
    assert.deepEqual(tags.map((t: any) => t.id), [STARRED, 'user/-/label/新闻']);
    const counts = (await api('/reader/api/0/unread-count?output=json')).json.unreadcounts;
    const c = (id: string) => counts.find((x: any) => x.id === id)?.count;
    assert.equal(c(`feed/${env.voa}`), 6);
    assert.equal(c(`feed/${env.bbc}`), 4);
    assert.equal(c('user/-/label/新闻'), 6);
    assert.equal(c(RL), 10);
  });

  test('stream/items/ids, stream/items/contents (all three id forms)', async () => {
    const ids = (await api(`/reader/api/0/stream/items/ids?n=1000&output=json&s=${RL}&xt=${READ}`)).json.itemRefs;
    assert.equal(ids.length, 10);
    assert.ok(ids.every((r: any) => /^\d+$/.test(r.id) && /^\d+$/.test(r.timestampUsec)));
    assert.ok(Number(ids[0].id) > Number(ids[1].id), 'newest first');
    const [a, b, c] = ids.map((r: any) => Number(r.id));
    const got = await post('/reader/api/0/stream/items/contents', { i: [String(a), longId(b), c.toString(16).padStart(16, '0')] });
    assert.equal(got.status, 200);
    assert.deepEqual(got.json.items.map((x: any) => x.id), [longId(a), longId(b), longId(c)]);
    const it = got.json.items[0];
    for (const k of ['crawlTimeMsec', 'timestampUsec', 'published', 'title', 'canonical', 'alternate', 'categories', 'origin', 'summary']) assert.ok(k in it, k);
    assert.ok(it.categories.includes(RL));
    assert.match(it.origin.streamId, /^feed\/\d+$/);
    const starred = (await api(`/reader/api/0/stream/items/ids?n=1000&output=json&s=${STARRED}`)).json.itemRefs;
    assert.equal(starred.length, 0);
    assert.equal((await post('/reader/api/0/stream/items/contents', { i: 'bogus' })).status, 400);
  });

  test('stream/contents: continuation, r=o, feed and label streams, ot/nt, content sanitized', async () => {
    const p1 = (await api(`/reader/api/0/stream/contents/${encodeURIComponent(RL)}?n=4`)).json;
    assert.equal(p1.items.length, 4);
    assert.ok(p1.continuation);
    const p2 = (await api(`/reader/api/0/stream/contents/${encodeURIComponent(RL)}?n=4&c=${p1.continuation}`)).json;
    const p3 = (await api(`/reader/api/0/stream/contents/${encodeURIComponent(RL)}?n=4&c=${p2.continuation}`)).json;
    assert.equal(p3.items.length, 2);
    assert.equal(p3.continuation, undefined);
    const all = [...p1.items, ...p2.items, ...p3.items].map((x: any) => x.id);
    assert.equal(new Set(all).size, 10);
    const oldest = (await api(`/reader/api/0/stream/contents/${encodeURIComponent(RL)}?n=2&r=o`)).json;
    assert.equal(oldest.items[0].id, all[9]);
    const feed = (await api(`/reader/api/0/stream/contents/feed/${env.bbc}?n=50`)).json;
    assert.equal(feed.items.length, 4);
    const byUrl = (await api(`/reader/api/0/stream/contents/${encodeURIComponent('feed/https://feeds.bbci.co.uk/zhongwen/simp/rss.xml')}?n=50`)).json;
    assert.equal(byUrl.items.length, 4);
    const hostile = feed.items.find((x: any) => x.title === 'BBC 第1条');
    assert.doesNotMatch(hostile.summary.content, /<script|onerror|javascript:/i);
    assert.match(hostile.summary.content, /images\.example\.net/);
    const label = (await api(`/reader/api/0/stream/contents/${encodeURIComponent('user/-/label/新闻')}?n=50`)).json;
    assert.equal(label.items.length, 6);
    const future = Math.floor(Date.now() / 1000) + 3600;
    assert.equal((await api(`/reader/api/0/stream/contents/${encodeURIComponent(RL)}?ot=${future}`)).json.items.length, 0);
    assert.equal((await api(`/reader/api/0/stream/contents/${encodeURIComponent(RL)}?nt=${future}&n=50`)).json.items.length, 10);
    assert.equal((await api(`/reader/api/0/stream/contents/feed/999`)).status, 404);
    assert.equal((await api(`/reader/api/0/stream/contents/${encodeURIComponent(RL)}?c=x`)).status, 400);
  });

  test('edit-tag read/starred, xt excludes read, mark-all-as-read with ts', async () => {
    const id = env.ids.get('美国之音 第3条')!;
    assert.equal((await post('/reader/api/0/edit-tag', { i: longId(id), a: [READ, STARRED] })).text, 'OK');
    assert.deepEqual(env.db.prepare('SELECT read, starred FROM item_state WHERE item_id = ?').get(id), { read: 1, starred: 1 });
    const unread = (await api(`/reader/api/0/stream/items/ids?n=1000&s=${RL}&xt=${READ}`)).json.itemRefs;
    assert.equal(unread.length, 9);
    const starred = (await api(`/reader/api/0/stream/contents/${encodeURIComponent(STARRED)}`)).json.items;
    assert.deepEqual(starred.map((x: any) => x.id), [longId(id)]);
    assert.ok(starred[0].categories.includes(READ) && starred[0].categories.includes(STARRED));
    await post('/reader/api/0/edit-tag', { i: String(id), r: READ });
    assert.equal(env.db.prepare('SELECT read FROM item_state WHERE item_id = ?').pluck().get(id), 0);
    // A stale edit token is refused the way Google did.
    const stale = await api('/reader/api/0/edit-tag', { method: 'POST', headers: FORM, body: form({ T: 'stale', i: String(id), a: READ }) });
    assert.equal(stale.status, 401);
    assert.equal(stale.text.trim(), 'Unauthorized');
    // Items crawled before ts: all of them.
    const ts = `${Date.now()}000`;
    assert.equal((await post('/reader/api/0/mark-all-as-read', { s: `feed/${env.bbc}`, ts })).text, 'OK');
    const counts = (await api('/reader/api/0/unread-count?output=json')).json.unreadcounts;
    assert.equal(counts.find((x: any) => x.id === `feed/${env.bbc}`), undefined);
    assert.equal(counts.find((x: any) => x.id === RL).count, 6);
    // ts before every item: nothing changes.
    await post('/reader/api/0/mark-all-as-read', { s: RL, ts: '1000000' });
    assert.equal((await api('/reader/api/0/unread-count?output=json')).json.unreadcounts.find((x: any) => x.id === RL).count, 6);
  });

  test('subscription/edit and quickadd', async () => {
    assert.equal((await post('/reader/api/0/subscription/edit', { ac: 'edit', s: `feed/${env.bbc}`, t: 'BBC 简体', a: 'user/-/label/国际' })).text, 'OK');
    let subs = (await api('/reader/api/0/subscription/list?output=json')).json.subscriptions;
    const bbc = subs.find((s: any) => s.id === `feed/${env.bbc}`);
    assert.equal(bbc.title, 'BBC 简体');
    assert.deepEqual(bbc.categories.map((c: any) => c.label), ['国际']);
    const q = await post('/reader/api/0/subscription/quickadd', { quickadd: 'https://www.rfa.org/mandarin/rss2.xml' });
    assert.equal(q.status, 200, q.text);
    assert.equal(q.json.numResults, 1);
    assert.match(q.json.streamId, /^feed\/\d+$/);
    await post('/reader/api/0/subscription/edit', { ac: 'subscribe', s: 'feed/https://www.dw.com/rss/zh.xml', a: 'user/-/label/国际' });
    subs = (await api('/reader/api/0/subscription/list?output=json')).json.subscriptions;
    assert.equal(subs.length, 4);
    assert.equal(subs.find((s: any) => s.url === 'https://www.dw.com/rss/zh.xml').categories[0].label, '国际');
    await post('/reader/api/0/subscription/edit', { ac: 'unsubscribe', s: q.json.streamId });
    subs = (await api('/reader/api/0/subscription/list?output=json')).json.subscriptions;
    assert.equal(subs.length, 3);
    assert.equal((await post('/reader/api/0/subscription/edit', { ac: 'subscribe', s: 'feed/javascript:alert(1)' })).status, 400);
    assert.equal((await post('/reader/api/0/subscription/quickadd', { quickadd: 'file:///etc/passwd' })).status, 400);
  });
});
