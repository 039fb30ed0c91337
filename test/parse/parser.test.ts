import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseFeed } from '../../src/parse/index.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const parse = (s: string, opts = {}) => parseFeed(enc(s), opts);

const rss = (items: string, channel = '') =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>${channel}${items}</channel></rss>`;

test('RSS 2.0 item fields, content:encoded kept as HTML', () => {
  const f = parse(rss(`<item><title>A &amp; B</title><link>https://e.com/a</link><guid isPermaLink="false">id-1</guid>
    <pubDate>Wed, 30 Oct 2024 15:17:01 GMT</pubDate><dc:creator>记者</dc:creator><category>国际</category>
    <description>summary</description><content:encoded><![CDATA[<p>正文 <b>全文</b></p>]]></content:encoded>
    <enclosure url="https://e.com/a.mp3" length="123" type="audio/mpeg"/></item>`));
  assert.equal(f.format, 'rss20');
  assert.equal(f.bozo, false, f.errors.join('; '));
  const it = f.items[0]!;
  assert.equal(it.title?.value, 'A & B');
  assert.equal(it.link, 'https://e.com/a');
  assert.equal(it.guid, 'id-1');
  assert.equal(it.guidIsPermalink, false);
  assert.equal(it.published, Date.UTC(2024, 9, 30, 15, 17, 1));
  assert.equal(it.authors[0]?.name, '记者');
  assert.deepEqual(it.categories, [{ term: '国际' }]);
  assert.equal(it.summary?.value, 'summary');
  assert.deepEqual(it.content[0], { value: '<p>正文 <b>全文</b></p>', type: 'html' });
  assert.deepEqual(it.enclosures[0], { url: 'https://e.com/a.mp3', length: '123', type: 'audio/mpeg' });
});

test('namespaces are matched on the URI, whatever the prefix, and common wrong URIs are accepted', () => {
  const f = parse(`<rss version="2.0" xmlns:x="http://purl.org/rss/1.0/modules/content/" xmlns:i="http://www.itunes.com/DTDs/PodCast-1.0.dtd"><channel>
    <item><x:encoded>&lt;p&gt;hi&lt;/p&gt;</x:encoded><i:duration>12:34</i:duration></item></channel></rss>`);
  assert.equal(f.items[0]!.content[0]!.value, '<p>hi</p>');
  assert.equal(f.items[0]!.itunes.duration, '12:34');
});

test('Atom 1.0: text constructs keep their type; xhtml loses its wrapper div', () => {
  const f = parse(`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN"><title type="html">&lt;b&gt;T&lt;/b&gt;</title>
    <entry><id>urn:x:1</id><title>E</title><link href="/a/1.html"/><updated>2024-10-30T15:17:01+08:00</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></content></entry></feed>`, { url: 'https://www.voachinese.com/feed' });
  assert.equal(f.format, 'atom10');
  assert.deepEqual(f.title, { value: '<b>T</b>', type: 'html', lang: 'zh-CN', base: 'https://www.voachinese.com/feed' });
  const e = f.items[0]!;
  assert.equal(e.link, 'https://www.voachinese.com/a/1.html');
  assert.equal(e.content[0]!.type, 'xhtml');
  assert.equal(e.content[0]!.value, '<p>x</p>');
  assert.equal(e.updated, Date.UTC(2024, 9, 30, 7, 17, 1));
});

test('relative URLs inside HTML are resolved against xml:base, nothing else in the markup changes', () => {
  const f = parse(rss(`<item xml:base="https://www.voachinese.com/a/"><description>&lt;p class=x&gt;&lt;a href="/a/7844720.html"&gt;&lt;/a&gt;&lt;img src='p.jpg' width=1&gt; &amp;amp;&lt;/p&gt;</description></item>`));
  assert.equal(f.items[0]!.summary!.value, '<p class=x><a href="https://www.voachinese.com/a/7844720.html"></a><img src="https://www.voachinese.com/a/p.jpg" width=1> &amp;</p>');
});

test('broken XML is recovered and flagged: bare &, HTML entities, control characters, junk before the root', () => {
  const f = parse(`junk\n<rss version="2.0"><channel><item><title>AT&T&nbsp;&eacute;\u0001</title></item></channel></rss>`);
  assert.equal(f.bozo, true);
  assert.equal(f.items[0]!.title!.value, 'AT&T\u00a0é');
  assert.ok(f.errors.some((e) => e.includes('bare "&"')));
  assert.ok(f.errors.some((e) => e.includes('&nbsp;')));
});

test('a truncated document keeps every item that can be read', () => {
  const doc = rss('<item><title>one</title></item><item><title>two</title></item><item><title>thr');
  const f = parse(doc.slice(0, doc.indexOf('thr') + 3));
  assert.equal(f.bozo, true);
  assert.deepEqual(f.items.map((i) => i.title?.value), ['one', 'two', 'thr']);
  assert.match(f.bozoReason!, /document ends before/);
});

test('mismatched and unclosed tags close what they must', () => {
  const f = parse(rss('<item><title>a</title><description>x<b>bold</description></item><item><title>b</titel></item><item><title>c</title></item>'));
  assert.equal(f.bozo, true);
  assert.deepEqual(f.items.map((i) => i.title?.value), ['a', 'b', 'c']);
  assert.equal(f.items[0]!.summary!.value, 'x<b>bold</b>');
});

test('unterminated CDATA takes the rest of the document', () => {
  const doc = rss('<item><title>a</title><description><![CDATA[<p>half');
  const f = parse(doc.slice(0, doc.indexOf('half') + 4));
  assert.equal(f.items[0]!.summary!.value, '<p>half');
  assert.equal(f.bozo, true);
});

test('RSS 1.0 (RDF) and RSS 0.90 are told apart by namespace', () => {
  const rdf = (ns: string) => `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="${ns}"><channel rdf:about="x"><title>T</title></channel><item rdf:about="https://e.com/1"><title>I</title><link>https://e.com/1</link></item></rdf:RDF>`;
  const a = parse(rdf('http://purl.org/rss/1.0/'));
  assert.equal(a.format, 'rss10');
  assert.equal(a.items[0]!.guid, 'https://e.com/1');
  assert.equal(parse(rdf('http://my.netscape.com/rdf/simple/0.9/')).format, 'rss090');
});

test('RSS versions and the Netscape DOCTYPE', () => {
  for (const [v, fmt] of [['0.91', 'rss091u'], ['0.92', 'rss092'], ['0.93', 'rss093'], ['0.94', 'rss094'], ['2.0', 'rss20']]) {
    assert.equal(parse(`<rss version="${v}"><channel/></rss>`).format, fmt);
  }
  const n = parse('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel/></rss>');
  assert.equal(n.format, 'rss091n');
  assert.equal(parse('<feed version="0.3" xmlns="http://purl.org/atom/ns#"></feed>').format, 'atom03');
});

test('channel scheduling hints: ttl, skipHours, skipDays, sy:updatePeriod', () => {
  const f = parse(rss('', '<ttl>30</ttl><skipHours><hour>1</hour><hour>2</hour></skipHours><skipDays><day>sunday</day></skipDays><sy:updatePeriod xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">hourly</sy:updatePeriod>'));
  assert.equal(f.ttl, 30);
  assert.deepEqual(f.skipHours, [1, 2]);
  assert.deepEqual(f.skipDays, ['Sunday']);
  assert.equal(f.updatePeriod, 'hourly');
});

test('a feed wrapped in HTML is found; an HTML page is not a feed', () => {
  const wrapped = parse('<html><body><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title></entry></feed></body></html>');
  assert.equal(wrapped.format, 'atom10');
  assert.equal(wrapped.items.length, 1);
  const page = parse('<!DOCTYPE html><html><head><title>page</title></head><body><p>hi</p></body></html>');
  assert.equal(page.format, 'unknown');
  assert.equal(page.bozo, true);
  assert.match(page.bozoReason!, /not a feed/);
});

test('JSON Feed is detected from the content', () => {
  const f = parse('  {"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://e.com/1","content_html":"<p>x</p>"}]}');
  assert.equal(f.format, 'json11');
  assert.equal(f.items[0]!.link, 'https://e.com/1');
});

test('GBK bytes declared as gb2312 are decoded (encoding reported)', () => {
  const gbk = Buffer.from('3c3f786d6c2076657273696f6e3d22312e302220656e636f64696e673d22676232333132223f3e3c7273732076657273696f6e3d22322e30223e3c6368616e6e656c3e3c6974656d3e3c7469746c653ec3c0b9fad6aed2f43c2f7469746c653e3c2f6974656d3e3c2f6368616e6e656c3e3c2f7273733e', 'hex');
  const f = parseFeed(gbk);
  assert.equal(f.items[0]!.title!.value, '美国之音');
  assert.equal(f.encoding, 'gbk');
});

test('the reference item\'s feed shape parses with the whole body', () => {
  const md = readFileSync(new URL('../../../shared/examples/voachinese-7844678.md', import.meta.url), 'utf8');
  const html = md.split('\n')[4]!;
  const xml = rss(`<item><title>朝鲜外相将在莫斯科会晤俄罗斯外长</title><link>https://www.voachinese.com/a/7844678.html</link><description><![CDATA[${html}]]></description></item>`);
  const f = parse(xml);
  assert.equal(f.bozo, false);
  assert.equal(f.items[0]!.summary!.value, html.trim());
  assert.match(f.items[0]!.image!, /^https:\/\/images\.weserv\.nl\?url=gdb\.voanews\.com\//);
});

test('never throws, whatever the bytes', () => {
  const samples = ['', '<', '<?xml', '<rss', '<rss><channel><item><title', '\u0000\u0001', '<<<>>>&&&', '{', '[1,2', '<!DOCTYPE x [<!ENTITY a "&a;">]><rss>&a;</rss>'];
  for (const s of samples) assert.doesNotThrow(() => parse(s));
  assert.equal(parse('').bozo, true);
});
