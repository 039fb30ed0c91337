import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { extract, decodeHtml, parseDateText, cleanTitle } from '../../src/extract/index.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

test('Chinese news page: body paragraphs in order, boilerplate out, metadata read', () => {
  const a = extract(fixture('news-sina.html').toString('utf8'), { url: 'https://news.sina.com.cn/c/2024-05-16/doc-x.shtml' });
  assert.equal(a.title, '青岛市举办海洋科技成果展 百余项新技术亮相');
  assert.equal(a.byline, '新京报');
  assert.equal(a.published, Date.parse('2024-05-16T09:02:38Z'));
  assert.equal(a.leadImage, 'https://n.sinaimg.cn/news/transform/20240516/ocean.jpg');
  assert.equal(a.lang, 'zh-CN');
  const lines = a.text.split('\n');
  const first = lines.findIndex((l) => l.startsWith('新京报讯 5月16日'));
  assert.ok(first >= 0, a.text);
  assert.ok(lines[first + 1].startsWith('记者在现场看到'), 'paragraphs are separate lines, in order');
  assert.ok(lines[first + 2].startsWith('据主办方介绍'));
  // The editor line is part of a Chinese news article (the references keep it).
  assert.equal(lines.at(-1), '责任编辑：刘光博');
  for (const junk of ['相关阅读', '青岛港集装箱', '网友甲', '热门排行', '版权所有', '新浪首页', '分享到', '广告代码']) {
    assert.ok(!a.text.includes(junk), `"${junk}" must not be in the text`);
  }
  // Full-width indentation is trimmed from lines.
  assert.ok(!a.text.includes('\u3000'));
  // HTML keeps the blocks, resolves URLs and lazy images.
  assert.match(a.html, /<p>\u3000\u3000新京报讯/);
  assert.match(a.html, /<img src="https:\/\/news\.sina\.com\.cn\/img\/2024\/ocean-expo\.jpg" alt="展会现场">/);
  assert.ok(!a.html.includes('blank.gif') && !a.html.includes('data-src'));
  assert.ok(!/<script|<style|related-news/.test(a.html));
});

test('a short article beats a longer feed of story teasers below it', () => {
  const a = extract(fixture('short-with-stream.html').toString('utf8'), { url: 'https://hk.news.yahoo.com/a-1.html' });
  assert.equal(a.text.split('\n').length, 2, a.text);
  assert.ok(a.text.startsWith('（法新社羅馬19日電）'));
  assert.ok(!a.text.includes('納達爾'));
  assert.equal(a.title, '義大利公開賽 茲韋列夫封王');
  // JSON-LD supplies what meta tags lack.
  assert.equal(a.byline, '法新社');
  assert.equal(a.leadImage, 'https://media.example.com/zverev.jpg');
  assert.equal(a.published, Date.parse('2024-05-20T06:05:02Z'));
  assert.equal(a.lang, 'zh');
});

test('GB2312 table layout with <br> paragraphs, date and author in an info line, next-page link', () => {
  const { text: html, encoding } = decodeHtml(fixture('br-layout-gbk.html'));
  assert.equal(encoding, 'gb18030');
  const url = 'http://www.example.cn/local/2023/0601/123.html';
  const a = extract(html, { url });
  assert.equal(a.title, '我市启动夏季防汛演练');
  assert.equal(a.byline, '张三');
  // No zone on a Chinese page: China Standard Time.
  assert.equal(a.published, Date.parse('2023-06-01T09:30:00+08:00'));
  assert.deepEqual(a.text.split('\n').map((l) => l.slice(0, 6)), ['昨日上午，我', '演练模拟了强', '市防汛办负责']);
  assert.ok(!a.text.includes('热点新闻') && !a.text.includes('首页'));
  assert.equal(a.nextPage, 'http://www.example.cn/local/2023/0601/123_2.html');
});

test('English article: captions, bylines and ad labels are left out; block text has line breaks', () => {
  const html = `<html lang="en"><head><title>Storm hits coast - The Daily</title></head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a></nav>
    <article><h1>Storm hits coast</h1>
    <div class="byline">By Jane Roe</div>
    <figure><img src="/s.jpg"><figcaption>Waves in the harbour. Photo: AP</figcaption></figure>
    <p>The storm reached the coast on Monday night, bringing winds of more than 100 miles an hour, and flooding low streets.</p>
    <div class="ad"><span>Advertisement</span></div>
    <h2>Damage</h2>
    <p>Officials said that power was cut to thousands of homes, and that schools would stay closed for the rest of the week.</p>
    </article><footer>© The Daily</footer></body></html>`;
  const a = extract(html, { url: 'https://daily.example/2024/storm' });
  assert.equal(a.title, 'Storm hits coast');
  assert.equal(a.byline, 'Jane Roe');
  assert.equal(a.lang, 'en');
  assert.equal(a.leadImage, 'https://daily.example/s.jpg');
  assert.deepEqual(a.text.split('\n').map((l) => l.split(' ')[0]), ['The', 'Damage', 'Officials']);
});

test('pages that start at <head> or a bare <div> still work', () => {
  const body = '<div class="content"><p>' + '这是一个没有html元素的页面片段，内容仍然应该被正确提取出来。'.repeat(3) + '</p><p>第二段内容，同样需要保留。</p></div>';
  for (const html of [`<head><title>片段</title></head><body>${body}</body>`, body]) {
    const a = extract(html);
    assert.match(a.text, /^这是一个没有html元素的页面片段/);
    assert.match(a.text, /\n第二段内容，同样需要保留。$/);
  }
});

test('hostile input: never throws, stays fast', () => {
  const deep = '<div>'.repeat(100_000) + '<p>deep text, deep text, deep text, deep text</p>' + '</div>'.repeat(100_000);
  const t0 = Date.now();
  const a = extract(deep);
  assert.ok(a.text.includes('deep text'));
  assert.ok(Date.now() - t0 < 5000);
  for (const junk of ['', '\u0000\uffff<<<>>>', '<script>alert(1)</script>', '<html><body></body></html>', '<p>hi</p>'.repeat(10)]) {
    const r = extract(junk, { url: 'not a url' });
    assert.equal(typeof r.text, 'string');
    assert.ok(!r.html.includes('<script'));
  }
  const evil = extract(`<article><p>${'Real text, with commas, that is long enough to be picked. '.repeat(5)}<a href="javascript:alert(1)" onclick="x()">x</a><a href="java&#9;script:alert(2)">y</a><a href=" JAVASCRIPT:alert(3)">z</a><a href="data:text/html,<script>alert(4)</script>">w</a><img src="x.png" onerror="alert(1)"><a href="/ok">ok</a></p></article>`, { url: 'https://site.example/a/b' });
  assert.ok(!/script|alert|onerror|onclick|data:/i.test(evil.html), evil.html);
  assert.ok(evil.html.includes('href="https://site.example/ok"'));
  assert.ok(evil.html.includes('src="https://site.example/a/x.png"'));
});

test('dates: ISO with and without zone, Chinese forms, epoch; nonsense is undefined', () => {
  assert.equal(parseDateText('2024-05-16T17:02:38+08:00'), Date.parse('2024-05-16T09:02:38Z'));
  assert.equal(parseDateText('2024-05-16 17:02', true), Date.parse('2024-05-16T09:02:00Z'));
  assert.equal(parseDateText('2024-05-16 17:02', false), Date.parse('2024-05-16T17:02:00Z'));
  assert.equal(parseDateText('发布时间：2024年5月6日 08:15', true), Date.parse('2024-05-06T00:15:00Z'));
  assert.equal(parseDateText('1715850000'), 1715850000000);
  assert.equal(parseDateText('2024年13月40日', true), undefined);
  assert.equal(parseDateText('yesterday-ish'), undefined);
});

test('titles: site suffixes go, hyphenated words stay', () => {
  assert.equal(cleanTitle('我市启动夏季防汛演练-地方新闻-某某日报网'), '我市启动夏季防汛演练');
  assert.equal(cleanTitle('标题很长的一条新闻_新浪新闻'), '标题很长的一条新闻');
  assert.equal(cleanTitle('Covid-19 cases rise again in Europe'), 'Covid-19 cases rise again in Europe');
  assert.equal(cleanTitle('Apple announces M4 chip - The Verge'), 'Apple announces M4 chip');
  assert.equal(cleanTitle('Storm surge floods the harbour | The Daily', 'The Daily'), 'Storm surge floods the harbour');
  // Too little would remain: keep it whole.
  assert.equal(cleanTitle('Home - Site'), 'Home - Site');
});

test('boilerplate inside the body: notices, see-more lines, link lists under a recirculation head, reference sections', () => {
  const zh = extract(`<html><head><title>苹果称反垄断诉讼应被驳回_网易</title></head><body><h1>苹果称反垄断诉讼应被驳回</h1>
    <div class="post_body">
      <p>2024-05-20 06:48</p>
      <p>苹果公司周二表示，美国司法部提起的反垄断诉讼应当被驳回，因为诉讼没有说明公司如何违反了法律。</p>
      <p>公司在提交给法院的文件中称，智能手机市场竞争激烈，消费者有充分的选择。</p>
      <p>特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台“网易号”用户上传并发布，本平台仅提供信息存储服务。</p>
      <h3>相关新闻</h3>
      <ul><li><a href="/a1.html">苹果发布新款平板电脑</a></li><li><a href="/a2.html">谷歌反垄断案进入结辩阶段</a></li></ul>
    </div></body></html>`, { url: 'https://www.163.com/dy/article/x.html' });
  assert.deepEqual(zh.text.split('\n').map((l) => l.slice(0, 4)), ['苹果公司', '公司在提']);

  const en = extract(`<html><head><title>Solar storm - News</title></head><body><h1>Solar storm</h1><div class="article-body">
    <p>The strongest solar storm in two decades reached Earth on Friday, and auroras were seen as far south as Florida.</p>
    <p>Forecasters said that power grids and satellites could be disrupted through the weekend, though no damage was reported.</p>
    <h2>References</h2><ol><li>NOAA Space Weather Prediction Center, bulletin of 10 May.</li><li>NASA, Solar Dynamics Observatory.</li></ol>
    <p>You may also like...</p>
    <p><a href="/1">Ten best places to see the northern lights this year</a></p>
    <p><a href="/2">How solar flares affect your phone signal and GPS</a></p>
    </div></body></html>`, { url: 'https://news.example/solar' });
  assert.deepEqual(en.text.split('\n').map((l) => l.split(' ').slice(0, 3).join(' ')), ['The strongest solar', 'Forecasters said that']);
  assert.ok(!en.html.includes('References') && !en.html.includes('northern lights'));
});

test('metadata placeholders are ignored: [edit] in the h1, numeric author ids, 1901 dates', () => {
  const a = extract(`<html><head><title>雄安新区 - 维基百科，自由的百科全书</title>
    <meta name="author" content="103553"><meta name="date" content="1901-01-01T00:00:00Z">
    <meta property="article:modified_time" content="2024-05-01T08:00:00Z"></head>
    <body><h1><span>雄安新区</span><span class="mw-editsection">[<a href="?action=edit">编辑</a>]</span></h1>
    <div id="content"><p>${'雄安新区是中国第19个国家级新区，位于河北省保定市东部。'.repeat(4)}</p></div></body></html>`);
  assert.equal(a.title, '雄安新区');
  assert.equal(a.byline, undefined);
  assert.equal(a.published, Date.parse('2024-05-01T08:00:00Z'));
});
