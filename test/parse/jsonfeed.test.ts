import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonFeed, JSON_FEED_NS } from '../../src/parse/jsonfeed.ts';

const full11 = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'My Feed',
  description: 'About it',
  user_comment: 'for machines',
  home_page_url: '/',
  feed_url: 'feed.json',
  next_url: 'feed.json?page=2',
  icon: 'https://example.org/icon.png',
  favicon: 'https://example.org/favicon.ico',
  authors: [{ name: 'Ann', url: 'https://ann.example/' }, { name: 'Bob', url: 'mailto:bob@example.org' }],
  language: 'en-GB',
  expired: true,
  hubs: [{ type: 'WebSub', url: 'https://hub.example/' }],
  _blue_shed: { about: 'https://blueshed-podcasts.com/json-feed-extension-docs', explicit: false, tags: ['a', 'b'] },
  items: [
    {
      id: 'item-1',
      url: 'posts/1',
      external_url: 'https://elsewhere.example/x',
      title: 'First & <best>',
      content_html: '<p>Hi <script>x()</script></p>',
      content_text: 'Hi',
      summary: 'Short',
      image: 'img/1.png',
      banner_image: 'img/1-banner.png',
      date_published: '2021-03-04T05:06:07Z',
      date_modified: '2021-03-05T00:00:00+02:00',
      authors: [{ name: 'Carol' }],
      tags: ['x', 'y', 3],
      language: 'fr',
      attachments: [
        { url: 'audio/1.mp3', mime_type: 'audio/mpeg', title: 'Episode', size_in_bytes: 12345, duration_in_seconds: 61 },
      ],
    },
  ],
});

test('JSON Feed 1.1: feed-level members', () => {
  const f = parseJsonFeed(full11, { url: 'https://example.org/blog/feed.json' });
  assert.ok(f);
  assert.equal(f.format, 'json11');
  assert.equal(f.version, 'https://jsonfeed.org/version/1.1');
  assert.equal(f.bozo, false);
  assert.deepEqual(f.errors, []);
  assert.deepEqual(f.title, { value: 'My Feed', type: 'text' });
  assert.deepEqual(f.subtitle, { value: 'About it', type: 'text' });
  assert.equal(f.link, 'https://example.org/');
  assert.equal(f.feedUrl, 'https://example.org/blog/feed.json');
  assert.deepEqual(
    f.links.map((l) => [l.rel, l.href]),
    [
      ['alternate', 'https://example.org/'],
      ['self', 'https://example.org/blog/feed.json'],
      ['next', 'https://example.org/blog/feed.json?page=2'],
    ],
  );
  assert.equal(f.logo, 'https://example.org/icon.png');
  assert.equal(f.icon, 'https://example.org/favicon.ico');
  assert.deepEqual(f.authors, [{ name: 'Ann', uri: 'https://ann.example/' }, { name: 'Bob', email: 'bob@example.org' }]);
  assert.equal(f.lang, 'en-GB');
  assert.equal(f.expired, true);
  const comment = f.ext.find((e) => e.name === 'user_comment');
  assert.equal(comment?.value, 'for machines');
  assert.equal(comment?.ns, JSON_FEED_NS);
  const shed = f.ext.find((e) => e.name === '_blue_shed');
  assert.ok(shed);
  assert.deepEqual(
    shed.children.map((c) => [c.name, c.value]),
    [['about', 'https://blueshed-podcasts.com/json-feed-extension-docs'], ['explicit', 'false'], ['tags', 'a'], ['tags', 'b']],
  );
  assert.equal(f.ext.some((e) => e.name === 'hubs'), false);
});

test('JSON Feed 1.1: item members', () => {
  const f = parseJsonFeed(full11, { url: 'https://example.org/blog/feed.json' });
  assert.ok(f);
  assert.equal(f.items.length, 1);
  const it = f.items[0];
  assert.equal(it.guid, 'item-1');
  assert.equal(it.link, 'https://example.org/blog/posts/1');
  assert.deepEqual(it.links.map((l) => l.rel), ['alternate', 'related', 'enclosure']);
  assert.deepEqual(it.title, { value: 'First & <best>', type: 'text' });
  assert.deepEqual(it.content, [
    { value: '<p>Hi <script>x()</script></p>', type: 'html' },
    { value: 'Hi', type: 'text' },
  ]);
  assert.deepEqual(it.summary, { value: 'Short', type: 'text' });
  assert.equal(it.image, 'https://example.org/blog/img/1.png');
  assert.equal(it.ext.find((e) => e.name === 'banner_image')?.value, 'https://example.org/blog/img/1-banner.png');
  assert.equal(it.publishedRaw, '2021-03-04T05:06:07Z');
  assert.equal(it.published, Date.UTC(2021, 2, 4, 5, 6, 7));
  assert.equal(it.updated, Date.UTC(2021, 2, 4, 22, 0, 0));
  assert.deepEqual(it.authors, [{ name: 'Carol' }]);
  assert.deepEqual(it.categories, [{ term: 'x' }, { term: 'y' }]);
  assert.equal(it.lang, 'fr');
  assert.deepEqual(it.enclosures, [{ url: 'https://example.org/blog/audio/1.mp3', type: 'audio/mpeg', length: '12345' }]);
  assert.equal(it.links[2].title, 'Episode');
  assert.equal(it.media[0].duration, '61');
  assert.equal(it.media[0].attrs.title, 'Episode');
});

test('JSON Feed 1.0: deprecated author, numeric id, no base URL', () => {
  const f = parseJsonFeed(
    JSON.stringify({
      version: 'https://jsonfeed.org/version/1',
      title: 'Old',
      author: { name: 'me', url: 'https://me.example/' },
      items: [{ id: 42, url: '/relative', content_text: 'x', banner_image: 'https://example.org/b.png' }],
    }),
    {},
  );
  assert.ok(f);
  assert.equal(f.format, 'json10');
  assert.equal(f.bozo, false);
  assert.deepEqual(f.authors, [{ name: 'me', uri: 'https://me.example/' }]);
  assert.equal(f.items[0].guid, '42');
  assert.equal(f.items[0].link, '/relative');
  assert.equal(f.items[0].image, 'https://example.org/b.png');
});

test('short version strings as gofeed writes them', () => {
  assert.equal(parseJsonFeed('{"version":"1.1","items":[]}', {})?.format, 'json11');
  assert.equal(parseJsonFeed('{"version":"1.0","items":[]}', {})?.format, 'json10');
});

test('invalid JSON gives undefined', () => {
  assert.equal(parseJsonFeed('{"version": "https://jsonfeed.org/version/1.1", ', {}), undefined);
  assert.equal(parseJsonFeed('', {}), undefined);
  assert.equal(parseJsonFeed('<rss/>', {}), undefined);
});

test('JSON that is not a feed is reported, not thrown', () => {
  for (const text of ['[]', '"x"', '{"hello": "world"}', 'null']) {
    const f = parseJsonFeed(text, {});
    assert.ok(f, text);
    assert.equal(f.format, 'unknown', text);
    assert.equal(f.bozo, true, text);
    assert.match(f.errors[0], /not a JSON Feed/, text);
  }
});

test('wrong member types are dropped with an error', () => {
  const f = parseJsonFeed(
    JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 7,
      home_page_url: { x: 1 },
      items: [{ id: 'a', title: ['no'], tags: 'nope', attachments: [{ mime_type: 'x' }, 5], date_published: 'garbage' }, 'str'],
    }),
    {},
  );
  assert.ok(f);
  assert.equal(f.format, 'json11');
  assert.equal(f.bozo, true);
  assert.equal(f.title, undefined);
  assert.equal(f.link, undefined);
  assert.equal(f.items.length, 1);
  assert.equal(f.items[0].title, undefined);
  assert.deepEqual(f.items[0].enclosures, []);
  assert.equal(f.items[0].publishedRaw, 'garbage');
  assert.equal(f.items[0].published, undefined);
  assert.ok(f.errors.includes('"title" is not a string'));
  assert.ok(f.errors.includes('items[1] is not an object'));
});

test('deeply nested extensions are cut, not recursed without bound', () => {
  const deep = '{"a":'.repeat(10000) + '"leaf"' + '}'.repeat(10000);
  const f = parseJsonFeed(`{"version":"1.1","items":[],"_x":${deep}}`, {});
  assert.ok(f);
  let depth = 0;
  for (let e = f.ext[0]; e; e = e.children[0]) depth++;
  assert.ok(depth <= 5, `depth ${depth}`);
});
