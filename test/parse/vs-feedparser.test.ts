// Where our parser and Python feedparser disagree on the corpus (bench/results/compare-feedparser.md)
// and feedparser is the one that is wrong: our behaviour on the same input, checked. Each case
// uses the corpus file itself and, where the cause is small, a minimal document too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeed, type Feed } from '../../src/parse/index.ts';

const FEEDS = join(import.meta.dirname, '../../../shared/corpus/feeds');
const corpus = (name: string): Feed => parseFeed(readFileSync(join(FEEDS, name)));
const doc = (xml: string): Feed => parseFeed(new TextEncoder().encode(xml));
const rssItem = (inner: string) =>
  doc(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><link>https://example.com/</link><item>${inner}</item></channel></rss>`);

test('Shift_JIS declared, CP932 bytes: decoded as Japanese (feedparser: ISO-8859-2 mojibake)', () => {
  const feed = corpus('chardet__CP932__y-moto.com.xml');
  assert.equal(feed.encoding, 'shift_jis');
  assert.equal(feed.items.length, 15);
  assert.equal(feed.items[0].title?.value, 'さらなる防寒対策');
  assert.equal(feed.items[1].title?.value, '初詣ポタ');
  assert.equal(feed.items[2].title?.value, '年間走行距離報告～良いお年を！');
});

test('EUC-KR declared, CP949 bytes: decoded as Korean (feedparser: windows-1252 mojibake)', () => {
  const feed = corpus('chardet__CP949__ricanet.com.xml');
  assert.equal(feed.encoding, 'euc-kr');
  assert.equal(feed.items[0].title?.value, '구라치다 걸리면');
  assert.equal(feed.items[2].title?.value, '데드락 피하기');
});

test('UTF-8 with an unclosed CDATA section stays UTF-8 (feedparser: retries as ISO-8859-2)', () => {
  const feed = corpus('rssant__warn__https-tmioe-com-feed.xml');
  assert.equal(feed.encoding, 'utf-8');
  assert.equal(feed.items.length, 5);
  assert.equal(feed.items[0].title?.value, '赘婿.更16集HD1080P/4K2160P.国语中字 (2021)');
  assert.equal(feed.items[1].title?.value, '解压缩软件：Bandizip 7.14 企业/专业 破解版');
});

test('declared utf-16 but the bytes are UTF-8: all items read (feedparser: 0 items)', () => {
  const feed = corpus('rssant__chardet__utf-8.not-utf-16.xml');
  assert.equal(feed.encoding, 'utf-8');
  assert.equal(feed.items.length, 877);
  assert.equal(feed.items[0].title?.value, '転勤・引越し ――動詞\u3000あげたりもらったり');
  assert.ok(feed.bozo, 'the wrong declaration is reported');
  const small = parseFeed(new TextEncoder().encode('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>t</title>' +
    '<item><title>中文标题</title><link>https://example.com/1</link></item></channel></rss>'));
  assert.equal(small.items.length, 1);
  assert.equal(small.items[0].title?.value, '中文标题');
});

test('an empty <item/> illegally nested in each item is not an extra item (feedparser: 20 entries, half empty)', () => {
  const feed = corpus('node-feedparser__illegally-nested.xml');
  assert.equal(feed.items.length, 10);
  for (const it of feed.items) {
    assert.ok(it.title?.value, 'every item has its title');
    assert.match(it.link ?? '', /^http:\/\/feedproxy\.google\.com\//);
  }
  assert.equal(feed.items[1].title?.value, 'Did We Learn Nothing From the Dot-Com Bust?');
  const small = rssItem('<title>A</title><item /><link>https://example.com/a</link>');
  assert.equal(small.items.length, 1);
  assert.equal(small.items[0].title?.value, 'A');
  assert.equal(small.items[0].link, 'https://example.com/a');
});

test('"2020/1/10 14:33:00" is year/month/day (feedparser: 2020-11-01 00:00)', () => {
  const feed = corpus('rsparser__kc0011.rss');
  assert.equal(feed.items[0].publishedRaw, '2020/1/10 14:33:00');
  assert.equal(feed.items[0].published, Date.UTC(2020, 0, 10, 14, 33, 0));
  const small = rssItem('<title>x</title><pubDate>2020/1/10 14:33:00</pubDate>');
  assert.equal(small.items[0].published, Date.UTC(2020, 0, 10, 14, 33, 0));
});

test('a misspelt weekday does not lose the date (feedparser: no date)', () => {
  const feed = corpus('rssant__well__dapenti_blog_iframe.xml');
  const it = feed.items.find((i) => i.publishedRaw === 'Wes, 18 Aug 2021 17:00:00 +0800');
  assert.ok(it, 'the item is there');
  assert.equal(it.published, Date.UTC(2021, 7, 18, 9, 0, 0));
  const small = rssItem('<title>x</title><pubDate>Wes, 18 Aug 2021 17:00:00 +0800</pubDate>');
  assert.equal(small.items[0].published, Date.UTC(2021, 7, 18, 9, 0, 0));
});

test('a bare "&lang=" in a link stays as written (feedparser: decodes &lang to 〈)', () => {
  const feed = corpus('rssant__warn__https-www-oschina-net-news-rss-show-industry.xml');
  const it = feed.items[20];
  assert.ok(it.link?.endsWith('&token=1682840778&lang=zh_CN#rd'), it.link);
  assert.ok(!it.link?.includes('\u2329') && !it.link?.includes('\u3008'));
  const small = rssItem('<title>x</title><link>https://example.com/s?a=1&lang=zh_CN&copy=2&not=3</link>');
  assert.equal(small.items[0].link, 'https://example.com/s?a=1&lang=zh_CN&copy=2&not=3');
  assert.ok(small.bozo, 'bare "&" is still reported');
});

test('Portuguese month and weekday names (feedparser: no date)', () => {
  const feed = corpus('rss-parser__uolNoticias.rss');
  assert.equal(feed.items[0].publishedRaw, 'Seg, 24 Set 2018 19:42:40 -0300');
  assert.equal(feed.items[0].published, Date.UTC(2018, 8, 24, 22, 42, 40));
});

test('Thai month abbreviations (feedparser: no date)', () => {
  const feed = corpus('chardet__TIS-620__trickspot.boxchart.com.xml');
  assert.equal(feed.items[0].publishedRaw, 'พฤ., 03 พ.ย. 2005 21:24:18 +0000');
  assert.equal(feed.items[0].published, Date.UTC(2005, 10, 3, 21, 24, 18));
  assert.equal(feed.items[1].published, Date.UTC(2005, 4, 23, 9, 0, 5));
});

// Judgment calls (see the comparison report): our reading follows the specification.

test('RSS 1.0 item without <link>: rdf:about is the link (RSS 1.0 §5.5; feedparser: none)', () => {
  const feed = corpus('den92__dw.xml');
  assert.equal(feed.format, 'rss10');
  const about = 'http://www.dw.com/uk/вооз-за-два-роки-атаки-на-лікарні-забрали-тисячу-життів/a-19283882?maca=ukr-rss-ukr-all-1496-rdf';
  assert.equal(feed.items[0].guid, about);
  assert.equal(feed.items[0].link, about);
  assert.equal(feed.items[0].linkFromGuid, true);
});

test('Atom entry with only a relative <id>: kept as the id, not made a link', () => {
  const feed = corpus('rssant__warn__v2ex-no-id-no-summary-no-url.xml');
  assert.equal(feed.items.length, 3);
  assert.equal(feed.items[2].guid, '/t/378265');
  assert.equal(feed.items[2].link, undefined);
});
