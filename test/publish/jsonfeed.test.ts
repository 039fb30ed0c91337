import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Feed, Item } from '../../src/parse/index.ts';
import { toJsonFeed, rfc3339, parseDuration, htmlToText, JSON_FEED_VERSION } from '../../src/publish/index.ts';

function feed(over: Partial<Feed> = {}): Feed {
  return {
    format: 'rss20', version: '2.0', encoding: 'utf-8', bozo: false, errors: [],
    links: [], authors: [], contributors: [], categories: [], skipHours: [], skipDays: [],
    itunes: {}, ext: [], items: [], ...over,
  };
}
function item(over: Partial<Item> = {}): Item {
  return {
    links: [], content: [], authors: [], contributors: [], categories: [], enclosures: [],
    media: [], thumbnails: [], itunes: {}, ext: [], ...over,
  };
}

test('feed level: JSON Feed fields and the _feedmirror extension', () => {
  const out = toJsonFeed(feed({
    title: { value: 'News &amp; <b>Views</b>', type: 'html' },
    subtitle: { value: 'All the\n  news', type: 'text' },
    link: 'https://example.com/',
    feedUrl: 'https://example.com/feed.xml',
    links: [
      { href: 'https://example.com/', rel: 'alternate', type: 'text/html' },
      { href: 'https://hub.example/', rel: 'hub' },
      { href: 'https://example.com/feed.xml?page=2', rel: 'next' },
    ],
    lang: 'zh-CN',
    authors: [{ name: 'Ann', email: 'ann@example.com' }, { email: 'bob@example.com' }, {}],
    image: { url: 'https://example.com/logo.png', title: 'Logo', width: '88' },
    icon: 'https://example.com/favicon.ico',
    ttl: 60, skipHours: [0, 1], skipDays: ['Sunday'], updatePeriod: 'hourly', updateFrequency: 2,
    generator: { name: 'WordPress', version: '6.5' },
    categories: [{ term: 'news', scheme: 'https://example.com/cats' }],
    updated: Date.UTC(2024, 9, 30, 15, 17, 1), updatedRaw: 'Wed, 30 Oct 2024 15:17:01 GMT',
    itunes: { explicit: 'no' },
  }));
  assert.equal(out.version, JSON_FEED_VERSION);
  assert.equal(out.title, 'News & Views');
  assert.equal(out.description, 'All the news');
  assert.equal(out.home_page_url, 'https://example.com/');
  assert.equal(out.feed_url, 'https://example.com/feed.xml');
  assert.equal(out.next_url, 'https://example.com/feed.xml?page=2');
  assert.deepEqual(out.hubs, [{ type: 'WebSub', url: 'https://hub.example/' }]);
  assert.equal(out.icon, 'https://example.com/logo.png');
  assert.equal(out.favicon, 'https://example.com/favicon.ico');
  assert.equal(out.language, 'zh-CN');
  assert.deepEqual(out.authors, [
    { name: 'Ann', url: 'mailto:ann@example.com' },
    { name: 'bob@example.com', url: 'mailto:bob@example.com' },
  ]);
  const x = out._feedmirror;
  assert.equal(x['format'], 'rss20');
  assert.equal(x['encoding'], 'utf-8');
  assert.equal(x['bozo'], false);
  assert.equal(x['bozo_reason'], null);
  assert.deepEqual(x['title'], { value: 'News &amp; <b>Views</b>', type: 'html' });
  assert.equal(x['ttl'], 60);
  assert.deepEqual(x['skip_hours'], [0, 1]);
  assert.deepEqual(x['skip_days'], ['Sunday']);
  assert.equal(x['update_period'], 'hourly');
  assert.equal(x['update_frequency'], 2);
  assert.deepEqual(x['generator'], { name: 'WordPress', version: '6.5' });
  assert.deepEqual(x['categories'], [{ term: 'news', scheme: 'https://example.com/cats' }]);
  assert.deepEqual(x['image'], { url: 'https://example.com/logo.png', title: 'Logo', width: '88' });
  assert.equal(x['updated'], '2024-10-30T15:17:01Z');
  assert.equal(x['updated_raw'], 'Wed, 30 Oct 2024 15:17:01 GMT');
  assert.deepEqual(x['itunes'], { explicit: 'no' });
  assert.equal(x['links'] && (x['links'] as unknown[]).length, 3);
  // Survives JSON: no undefined, no functions, no cycles.
  assert.deepEqual(JSON.parse(JSON.stringify(out)), out);
});

test('bozo feeds carry the reason', () => {
  const x = toJsonFeed(feed({ bozo: true, bozoReason: 'line 3: mismatched tag', errors: ['line 3: mismatched tag'] }))._feedmirror;
  assert.equal(x['bozo'], true);
  assert.equal(x['bozo_reason'], 'line 3: mismatched tag');
  assert.deepEqual(x['errors'], ['line 3: mismatched tag']);
  assert.equal(toJsonFeed(feed({ title: undefined })).title, '');
});

test('item: id, url, plain-text title, content, dates, tags, attachments', () => {
  const out = toJsonFeed(feed({
    items: [item({
      guid: 'tag:example.com,2024:1', guidIsPermalink: false,
      link: 'https://example.com/a/1.html',
      title: { value: 'A <em>bold</em> &ldquo;move&rdquo;', type: 'html' },
      summary: { value: '<p>Short &amp; sweet.</p>', type: 'html' },
      content: [{ value: '<p>Full text</p>', type: 'html' }],
      published: Date.UTC(2024, 9, 30, 15, 17, 1, 250), publishedRaw: '2024-10-30T15:17:01.25Z',
      updated: Date.UTC(2024, 9, 31), updatedRaw: '2024-10-31',
      authors: [{ name: 'Ann', uri: 'https://example.com/ann' }],
      categories: [{ term: 'world', scheme: 'urn:x' }, { term: 'world' }, { term: ' ' }],
      enclosures: [
        { url: 'https://example.com/a.mp3', type: 'audio/mpeg', length: '12345' },
        { url: 'https://example.com/b.bin', length: 'unknown' },
      ],
      comments: 'https://example.com/a/1.html#comments', commentCount: 7,
      source: { title: 'Elsewhere', url: 'https://elsewhere.example/feed' },
      lang: 'en',
      media: [{ url: 'https://example.com/m.jpg', medium: 'image', attrs: { url: 'https://example.com/m.jpg', medium: 'image' } }],
    })],
  }));
  const it = out.items[0];
  assert.equal(it.id, 'tag:example.com,2024:1');
  assert.equal(it.url, 'https://example.com/a/1.html');
  assert.equal(it.title, 'A bold \u201cmove\u201d');
  assert.equal(it.content_html, '<p>Full text</p>');
  assert.equal(it.content_text, undefined);
  assert.equal(it.summary, 'Short & sweet.');
  assert.equal(it.date_published, '2024-10-30T15:17:01.250Z');
  assert.equal(it.date_modified, '2024-10-31T00:00:00Z');
  assert.deepEqual(it.authors, [{ name: 'Ann', url: 'https://example.com/ann' }]);
  assert.deepEqual(it.tags, ['world']);
  assert.equal(it.language, 'en');
  assert.deepEqual(it.attachments, [
    { url: 'https://example.com/a.mp3', mime_type: 'audio/mpeg', size_in_bytes: 12345 },
    { url: 'https://example.com/b.bin', mime_type: 'application/octet-stream' },
  ]);
  const x = it._feedmirror;
  assert.equal(x['guid'], 'tag:example.com,2024:1');
  assert.equal(x['guid_is_permalink'], false);
  assert.equal(x['title_type'], 'html');
  assert.equal(x['title_html'], 'A <em>bold</em> &ldquo;move&rdquo;');
  assert.equal(x['summary_type'], 'html');
  assert.equal(x['summary_html'], '<p>Short &amp; sweet.</p>');
  assert.deepEqual(x['content_types'], ['html']);
  assert.equal(x['content_from'], 'content');
  assert.deepEqual(x['enclosures'], [
    { url: 'https://example.com/a.mp3', type: 'audio/mpeg', length: '12345' },
    { url: 'https://example.com/b.bin', length: 'unknown' },
  ]);
  assert.equal(x['comments'], 'https://example.com/a/1.html#comments');
  assert.equal(x['comment_count'], 7);
  assert.deepEqual(x['source'], { title: 'Elsewhere', url: 'https://elsewhere.example/feed' });
  assert.deepEqual(x['categories'], [{ term: 'world', scheme: 'urn:x' }, { term: 'world' }, { term: ' ' }]);
  assert.deepEqual(x['media'], [{ url: 'https://example.com/m.jpg', medium: 'image', attrs: { url: 'https://example.com/m.jpg', medium: 'image' } }]);
  assert.equal(x['published_raw'], '2024-10-30T15:17:01.25Z');
});

test('item: summary stands in for missing content; ids fall back to link, then a stable hash', () => {
  const out = toJsonFeed(feed({
    items: [
      item({ link: 'https://example.com/2', summary: { value: 'Just text', type: 'text' } }),
      item({ title: { value: 'No id', type: 'text' } }),
      item({ title: { value: 'No id', type: 'text' } }),
      item({ title: { value: 'Other', type: 'text' }, summary: { value: '<b>hi</b>', type: 'html' } }),
      item({ guid: '  ', link: 'https://example.com/5' }),
    ],
  }));
  const [a, b, c, d, e] = out.items;
  assert.equal(e.id, 'https://example.com/5', 'a blank guid is no id');
  assert.equal(a.id, 'https://example.com/2');
  assert.equal(a.content_text, 'Just text');
  assert.equal(a._feedmirror['content_from'], 'summary');
  assert.match(b.id, /^urn:feedmirror:item:[0-9a-f]{32}$/);
  assert.equal(b.id, c.id, 'same item content, same id');
  assert.notEqual(b.id, d.id);
  assert.equal(b.content_text, '', 'JSON Feed requires content_html or content_text');
  assert.equal(b._feedmirror['content_from'], 'none');
  assert.equal(d.content_html, '<b>hi</b>');
  assert.equal(d.summary, 'hi');
  assert.equal(d._feedmirror['summary_html'], undefined, 'not repeated when it is the content');
});

test('item: text and html contents both kept, extra ones in content_more; published falls back to updated', () => {
  const it = toJsonFeed(feed({
    items: [item({
      guid: 'g',
      content: [
        { value: 'plain', type: 'text' },
        { value: '<p>rich</p>', type: 'html' },
        { value: '<p>second</p>', type: 'html' },
        { value: 'iVBORw0KGgo=', type: 'text', mime: 'image/png' },
      ],
      updated: Date.UTC(2020, 0, 2, 3, 4, 5),
      itunes: { duration: '1:02:03' },
      enclosures: [{ url: 'https://e.example/ep.mp3', type: 'audio/mpeg', length: '0' }],
    })],
  })).items[0];
  assert.equal(it.content_text, 'plain');
  assert.equal(it.content_html, '<p>rich</p>');
  assert.deepEqual(it._feedmirror['content_more'], [
    { value: '<p>second</p>', type: 'html' },
    { value: 'iVBORw0KGgo=', type: 'text', mime: 'image/png' },
  ]);
  assert.equal(it.date_published, '2020-01-02T03:04:05Z');
  assert.equal(it.date_modified, '2020-01-02T03:04:05Z');
  assert.deepEqual(it.attachments, [{ url: 'https://e.example/ep.mp3', mime_type: 'audio/mpeg', duration_in_seconds: 3723 }]);
  assert.deepEqual(it._feedmirror['itunes'], { duration: '1:02:03' });
});

test('rfc3339 writes only what RFC 3339 can express', () => {
  assert.equal(rfc3339(0), '1970-01-01T00:00:00Z');
  assert.equal(rfc3339(Date.UTC(9999, 11, 31, 23, 59, 59)), '9999-12-31T23:59:59Z');
  assert.equal(rfc3339(Date.UTC(10000, 0, 1)), undefined);
  assert.equal(rfc3339(-62167219200001), undefined);
  assert.equal(rfc3339(NaN), undefined);
  assert.equal(rfc3339(undefined), undefined);
  assert.equal(rfc3339(1.5), '1970-01-01T00:00:00.001Z');
});

test('parseDuration', () => {
  assert.equal(parseDuration('90'), 90);
  assert.equal(parseDuration('01:30'), 90);
  assert.equal(parseDuration('1:00:00'), 3600);
  assert.equal(parseDuration('1:2:3:4'), undefined);
  assert.equal(parseDuration('abc'), undefined);
  assert.equal(parseDuration('0'), undefined);
});

test('htmlToText: tags, comments, scripts, entities, stray <, unfinished tags', () => {
  assert.equal(htmlToText('<p>a</p><p>b</p>'), 'a b');
  assert.equal(htmlToText('x<!-- hidden -->y'), 'xy');
  assert.equal(htmlToText('a<script>alert("<p>")</script>b<STYLE>p{}</style>c'), 'abc');
  assert.equal(htmlToText('1 < 2 &amp;&amp; 3 > 2'), '1 < 2 && 3 > 2');
  assert.equal(htmlToText('&#x4e2d;&#25991; &nbsp;&hellip;'), '中文 …');
  assert.equal(htmlToText('ok <a href="x'), 'ok');
  assert.equal(htmlToText('<![CDATA[x]]>y'), 'y');
  // Linear on hostile input: 200k unclosed tag starts.
  const t = performance.now();
  htmlToText('<a'.repeat(200_000));
  htmlToText('<script>'.repeat(50_000));
  assert.ok(performance.now() - t < 2000);
});
