import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.ts';
import { readOpml, writeOpml, importOpml, exportOpml, listSubscriptions, addSubscription } from '../../src/subscribe/index.ts';

const corpus = fileURLToPath(new URL('../../../shared/corpus/opml/', import.meta.url));

// Hand-checked: outlines with an xmlUrl, and distinct feeds once URLs are normalized
// (rsparser lists http://feed.katiefloyd.com twice, with and without the slash),
// and distinct categories (folder paths; none counts as one).
const expected: Record<string, { outlines: number; feeds: number; categories: number }> = {
  'awesome-rss-feeds__Hong_Kong_SAR_China.opml': { outlines: 5, feeds: 5, categories: 1 },
  'awesome-rss-feeds__News.opml': { outlines: 11, feeds: 11, categories: 1 },
  'awesome-rsshub-routes__feeds.opml': { outlines: 59, feeds: 59, categories: 10 },
  'dichgrem__feeds.opml': { outlines: 781, feeds: 781, categories: 8 },
  'dichgrem__新闻.opml': { outlines: 121, feeds: 121, categories: 1 },
  'dichgrem__科技.opml': { outlines: 81, feeds: 81, categories: 1 },
  'dichgrem__编程.opml': { outlines: 15, feeds: 15, categories: 1 },
  'proxy-rsshub__rss.opml': { outlines: 21, feeds: 21, categories: 1 },
  'rsparser__Subs.opml': { outlines: 207, feeds: 206, categories: 5 },
  'rsparser__SubsNoTitleAttributes.opml': { outlines: 207, feeds: 206, categories: 5 },
  'rssant__inoreader.xml': { outlines: 3, feeds: 3, categories: 2 },
  'rssant__stringer.opml': { outlines: 5, feeds: 5, categories: 1 },
  'vellow__subscriptions.opml': { outlines: 32, feeds: 32, categories: 5 },
};

test('every corpus file is covered by a hand-checked count', () => {
  assert.deepEqual(readdirSync(corpus).sort(), Object.keys(expected).sort());
});

for (const [file, want] of Object.entries(expected)) {
  test(`import ${file}`, () => {
    const bytes = readFileSync(corpus + file);
    assert.equal(readOpml(bytes).feeds.length, want.outlines);
    const db = openStore(':memory:');
    const r = importOpml(db, bytes);
    assert.equal(r.added.length, want.feeds);
    assert.equal(r.duplicates.length, want.outlines - want.feeds);
    assert.equal(r.invalid.length, 0);
    const subs = listSubscriptions(db);
    assert.equal(subs.length, want.feeds);
    assert.equal(new Set(subs.map((s) => s.category ?? '')).size, want.categories);
    // Every subscription has a name: the title, or the text when the title attribute is missing.
    assert.ok(subs.every((s) => s.site.length > 0));
    // Importing again adds nothing.
    assert.equal(importOpml(db, bytes).added.length, 0);
    db.close();
  });
}

test('lenient reading: bare "&", whitespace before the declaration, entities kept right', () => {
  const news = readOpml(readFileSync(corpus + 'awesome-rss-feeds__News.opml'));
  assert.equal(news.feeds.find((f) => f.url === 'https://www.yahoo.com/news/rss')?.title, 'Yahoo News - Latest News & Headlines');
  const code = readFileSync(corpus + 'dichgrem__编程.opml');
  assert.equal(code[0], 0x20); // the quirk under test is really there
  assert.equal(readOpml(code).feeds[0].category, '编程');
  const stringer = readOpml(readFileSync(corpus + 'rssant__stringer.opml'));
  assert.equal(stringer.feeds.find((f) => f.url === 'https://liam0205.me/atom.xml')?.title, '始终');
  const noTitles = readOpml(readFileSync(corpus + 'rsparser__SubsNoTitleAttributes.opml'));
  assert.equal(noTitles.feeds[0].title, 'Daring Fireball');
});

test('nested outlines and the category attribute', () => {
  const doc = readOpml(`<opml version="2.0"><body>
    <outline text="Tech"><outline title="Web/Dev"><outline xmlUrl="https://a.example/feed" text="A"/></outline>
      <outline xmlUrl="https://b.example/feed" title="B" text="ignored"/></outline>
    <outline xmlUrl="https://c.example/feed" text="C" category="/Harvard/Weather,/Boston"/>
    <outline xmlurl="https://d.example/feed" text="D"/>
    <outline text="Empty folder"/>
  </body></opml>`);
  assert.deepEqual(doc.feeds.map((f) => [f.title, f.category]), [['A', 'Tech/Web-Dev'], ['B', 'Tech'], ['C', 'Harvard/Weather'], ['D', undefined]]);
});

test('not OPML at all: an error', () => {
  assert.throws(() => readOpml('<rss><channel/></rss>'), /not an OPML document/);
  assert.throws(() => readOpml(''), /not an OPML document/);
});

test('export round trip keeps URLs, titles and categories', () => {
  const db = openStore(':memory:');
  importOpml(db, readFileSync(corpus + 'dichgrem__feeds.opml'));
  addSubscription(db, 'https://x.example/feed?a=1&b=<2>', { site: 'Quotes " & <tags>', category: 'A/B' });
  const before = listSubscriptions(db).map((s) => [s.url, s.site, s.category ?? '']).sort();
  const xml = exportOpml(db);
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<opml version="2.0">/);
  const db2 = openStore(':memory:');
  const r = importOpml(db2, xml);
  assert.equal(r.added.length, before.length);
  assert.deepEqual(listSubscriptions(db2).map((s) => [s.url, s.site, s.category ?? '']).sort(), before);
  db.close();
  db2.close();
});

test('writeOpml escapes and drops characters XML cannot hold', () => {
  const xml = writeOpml({ title: 'T', feeds: [{ url: 'https://a.example/?x=1&y=2', title: 'a\u0001b "c"' }] });
  assert.match(xml, /xmlUrl="https:\/\/a.example\/\?x=1&amp;y=2"/);
  assert.match(xml, /title="ab &quot;c&quot;"/);
});
