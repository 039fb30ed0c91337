// Republished feeds served by a real Fastify instance on 127.0.0.1: read back by
// Debian's python3-feedparser and by our own parser, and their HTTP validators.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { archiveRoot } from '../../src/mirror/index.ts';
import { buildServer } from '../../src/server/index.ts';
import { parseFeed } from '../../src/parse/index.ts';
import { buildFeed, registerFeedRoutes, saveSearch, type FeedDoc, type Selection } from '../../src/publish/index.ts';
import { seed, REFERENCE_TITLE, REFERENCE_URL, HOSTILE_TITLE, type Seeded } from '../server/seed.ts';

const TEMPLATE = 'https://img.example/p?u={url_encoded}';
let s: Seeded;
let app: FastifyInstance;
let base: string;

before(async () => {
  s = await seed({ extra: 6 });
  const now = Date.now();
  const feed = Number(s.db.prepare("INSERT INTO feeds (url, created) VALUES ('https://www.voachinese.com/rss', ?)").run(now).lastInsertRowid);
  s.db.prepare("INSERT INTO subscriptions (feed_id, site, category, created) VALUES (?, '美国之音', '国际 新闻', ?)").run(feed, now);
  saveSearch(s.db, '外相', '外相');
  app = Fastify();
  await registerFeedRoutes(app, { db: s.db, root: archiveRoot(s.config), images: { mode: 'template', template: TEMPLATE }, limit: 20 });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app?.close();
  s?.cleanup();
});

const FEEDS: [string, Selection][] = [
  ['feeds/all', { kind: 'all' }],
  ['feeds/site/%E7%BE%8E%E5%9B%BD%E4%B9%8B%E9%9F%B3', { kind: 'site', site: '美国之音' }],
  ['feeds/category/%E5%9B%BD%E9%99%85%20%E6%96%B0%E9%97%BB', { kind: 'category', category: '国际 新闻' }],
  ['feeds/search/%E5%A4%96%E7%9B%B8', { kind: 'search', name: '外相' }],
];
const TYPES = { rss: 'application/rss+xml; charset=utf-8', atom: 'application/atom+xml; charset=utf-8', json: 'application/feed+json; charset=utf-8' };

function expected(sel: Selection): FeedDoc {
  return buildFeed(s.db, sel, { root: archiveRoot(s.config), images: { mode: 'template', template: TEMPLATE }, limit: 20 });
}

interface PyFeed { bozo: number; reason: string; entries: { title: string; link: string; id: string; published: number | null; content: string }[] }

/** Each "file|content-type" through feedparser.parse; entries' titles, links, ids, dates (epoch s) and content. */
function feedparser(files: string[]): PyFeed[] {
  const script = `
import sys, json, calendar, feedparser
out = []
for f in sys.argv[1:]:
    # As served: feedparser tells JSON Feed from XML by the Content-Type.
    path, ctype = f.split('|', 1)
    d = feedparser.parse(path, response_headers={'content-type': ctype})
    out.append({'bozo': int(d.bozo), 'reason': str(d.get('bozo_exception', '')), 'entries': [
        {'title': e.get('title'), 'link': e.get('link'), 'id': e.get('id'),
         'published': calendar.timegm(e.published_parsed) if e.get('published_parsed') else None,
         'content': (e.get('content') or [{}])[0].get('value', '')} for e in d.entries]})
print(json.dumps(out))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' })) as PyFeed[];
}

test('every feed in every format: content type, feedparser reads it clean, our parser round-trips it', async () => {
  const files: string[] = [];
  const docs: FeedDoc[] = [];
  const jsonFiles: [string, FeedDoc][] = [];
  let n = 0;
  for (const [path, sel] of FEEDS) {
    const doc = expected(sel);
    assert.ok(doc.entries.length > 0, `${path} has items`);
    for (const fmt of ['rss', 'atom', 'json'] as const) {
      const res = await fetch(`${base}/${path}.${fmt}`);
      assert.equal(res.status, 200, `${path}.${fmt}`);
      assert.equal(res.headers.get('content-type'), TYPES[fmt]);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const file = join(s.dir, `feed-${n++}.${fmt}`);
      writeFileSync(file, bytes);
      // Debian's feedparser 6.0.10 has no JSON Feed reader (it came after); JSON is checked below.
      if (fmt !== 'json') {
        files.push(`${file}|${res.headers.get('content-type')}`);
        docs.push(doc);
      } else jsonFiles.push([file, doc]);

      const feed = parseFeed(bytes);
      assert.equal(feed.bozo, false, `${path}.${fmt}: ${feed.bozoReason}`);
      assert.equal(feed.items.length, doc.entries.length);
      feed.items.forEach((it, i) => {
        const e = doc.entries[i];
        assert.equal(it.title?.value, e.title);
        assert.equal(it.link, e.url);
        assert.equal(it.guid, e.id);
        assert.equal(it.published, Math.floor(e.published / 1000) * 1000);
        assert.equal(it.content.find((c) => c.type === 'html')?.value, e.html);
      });
    }
  }
  const parsed = feedparser(files);
  parsed.forEach((p, i) => {
    const doc = docs[i];
    assert.equal(p.bozo, 0, `${files[i]}: ${p.reason}`);
    assert.deepEqual(p.entries.map((e) => e.title), doc.entries.map((e) => e.title));
    assert.deepEqual(p.entries.map((e) => e.link), doc.entries.map((e) => e.url));
    assert.deepEqual(p.entries.map((e) => e.id), doc.entries.map((e) => e.id));
    assert.deepEqual(p.entries.map((e) => e.published), doc.entries.map((e) => Math.floor(e.published / 1000)));
  });
  // JSON Feed 1.1 read by Python's own JSON reader: the required members, the same items.
  for (const [file, doc] of jsonFiles) {
    const j = JSON.parse(execFileSync('/usr/bin/python3', ['-c', 'import json,sys; print(json.dumps(json.load(open(sys.argv[1], encoding="utf-8"))))', file], { encoding: 'utf8' })) as
      { version: string; title: string; feed_url: string; items: { id: string; url: string; title: string; content_html: string; date_published: string }[] };
    assert.equal(j.version, 'https://jsonfeed.org/version/1.1');
    assert.equal(j.title, doc.title);
    assert.match(j.feed_url, /^http:\/\/127\.0\.0\.1:\d+\/feeds\//);
    assert.deepEqual(j.items.map((i) => [i.id, i.url, i.title, Date.parse(i.date_published)]), doc.entries.map((e) => [e.id, e.url, e.title, Math.floor(e.published / 1000) * 1000]));
    assert.ok(j.items.every((i) => typeof i.content_html === 'string' && i.content_html.length > 0));
  }
  // The whole text is there (feedparser sanitizes it again, so compare its words, not bytes).
  const ref = parsed[0].entries.find((e) => e.title === REFERENCE_TITLE);
  assert.ok(ref && ref.content.includes('崔善姬周二抵达俄罗斯远东港口城市符拉迪沃斯托克'));
});

test('selections: a site, a category and a saved search hold what they should', () => {
  const all = expected({ kind: 'all' });
  assert.equal(all.entries.length, 8);
  const times = all.entries.map((e) => e.published);
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  assert.ok(expected({ kind: 'site', site: '美国之音' }).entries.every((e) => e.site === '美国之音'));
  assert.equal(expected({ kind: 'site', site: '美国之音' }).entries.length, 4);
  assert.equal(expected({ kind: 'category', category: '国际 新闻' }).entries.length, 4);
  const found = expected({ kind: 'search', name: '外相' });
  assert.deepEqual(found.entries.map((e) => e.url), [REFERENCE_URL]);
  assert.ok(found.entries[0].id.startsWith('tag:feedmirror,2024:item/'));
});

test('content is sanitized and images go through the image mode', () => {
  const all = expected({ kind: 'all' });
  const hostile = all.entries.find((e) => e.title === HOSTILE_TITLE);
  assert.ok(hostile);
  assert.doesNotMatch(hostile.html, /<script|onerror|javascript:/i);
  const ref = all.entries.find((e) => e.url === REFERENCE_URL)!;
  assert.match(ref.html, /<img[^>]+src="https:\/\/img\.example\/p\?u=https%3A%2F%2Fimages\.weserv\.nl/);
});

test('a link that is not http(s) does not leave feedmirror', async () => {
  const id = s.db.prepare('SELECT id FROM items WHERE title = ?').pluck().get(HOSTILE_TITLE) as number;
  const url = s.db.prepare('SELECT url FROM items WHERE id = ?').pluck().get(id) as string;
  s.db.prepare('UPDATE items SET url = ? WHERE id = ?').run('javascript:alert(1)', id);
  try {
    assert.equal(expected({ kind: 'all' }).entries.find((e) => e.title === HOSTILE_TITLE)?.url, '');
    for (const fmt of ['rss', 'atom', 'json']) {
      const body = await (await fetch(`${base}/feeds/all.${fmt}`)).text();
      assert.doesNotMatch(body, /javascript:/, fmt);
      assert.equal(parseFeed(new TextEncoder().encode(body)).bozo, false, fmt);
    }
  } finally {
    s.db.prepare('UPDATE items SET url = ? WHERE id = ?').run(url, id);
  }
});

test('ETag and Last-Modified give 304s; a change gives a new ETag', async () => {
  const url = `${base}/feeds/all.atom`;
  const first = await fetch(url);
  const etag = first.headers.get('etag');
  const lm = first.headers.get('last-modified');
  assert.match(etag ?? '', /^"[\w-]{27}"$/);
  assert.ok(lm && Number.isFinite(Date.parse(lm)));
  assert.equal((await fetch(url, { headers: { 'If-None-Match': etag! } })).status, 304);
  assert.equal((await fetch(url, { headers: { 'If-Modified-Since': lm! } })).status, 304);
  assert.equal((await fetch(url, { headers: { 'If-Modified-Since': new Date(Date.parse(lm!) - 1000).toUTCString() } })).status, 200);
  assert.equal((await fetch(url, { headers: { 'If-None-Match': '"other"' } })).status, 200);
  // Another format of the same feed has its own tag.
  assert.notEqual((await fetch(`${base}/feeds/all.rss`)).headers.get('etag'), etag);
  s.db.prepare('UPDATE items SET updated = ? WHERE id = (SELECT max(id) FROM items)').run(Date.now() + 5000);
  const changed = await fetch(url, { headers: { 'If-None-Match': etag! } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get('etag'), etag);
});

test('unknown feeds, formats and saved searches are 404s, not crashes', async () => {
  for (const p of ['feeds/nope.rss', 'feeds/all.xml', 'feeds/site/none.rss', 'feeds/category/none.json', 'feeds/search/none.atom', 'feeds/other/x.rss', 'feeds/site/%00.rss']) {
    const res = await fetch(`${base}/${p}`);
    assert.equal(res.status, 404, p);
  }
  assert.throws(() => saveSearch(s.db, 'a/b', 'x'), /name/);
  assert.throws(() => saveSearch(s.db, 'ok', ' '), /query/);
});

test('as the web reader mounts them: behind its login unless public, with its security headers', async () => {
  for (const pub of [false, true]) {
    const reader = await buildServer(s.config, s.db, { adminPassword: 'correct horse battery', public: pub, log: () => {} });
    const res = await reader.inject({ url: '/feeds/site/%E7%BE%8E%E5%9B%BD%E4%B9%8B%E9%9F%B3.rss', headers: { host: 'mirror.example' } });
    assert.equal(res.statusCode, pub ? 200 : 401);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    if (pub) {
      assert.equal(res.headers['content-type'], 'application/rss+xml; charset=utf-8');
      assert.match(res.body, /<atom:link rel="self" type="application\/rss\+xml" href="http:\/\/mirror\.example\/feeds\/site\/%E7%BE%8E%E5%9B%BD%E4%B9%8B%E9%9F%B3\.rss"\/>/);
    }
    await reader.close();
  }
});
