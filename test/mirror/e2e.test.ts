// End to end: sample RSS, Atom and GBK feeds on a local server, `feedmirror once`
// as a real process into an empty data directory, then a repeat and an edit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { addSubscription } from '../../src/subscribe/index.ts';
import { cli, mtimes, repo, serve, tree } from './helpers.ts';

const sample = (name: string): Buffer => readFileSync(join(repo, 'samples', name));

test('once: RSS, Atom and GBK feeds into an empty data directory; a repeat changes nothing; an edit is a revision', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'fm-e2e-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const feeds: Record<string, Buffer> = { '/rss.xml': sample('rss.xml'), '/atom.xml': sample('atom.xml'), '/gbk.xml': sample('gbk.xml') };
  const s = await serve((req, res) => {
    const body = feeds[req.url ?? ''];
    if (!body) {
      res.statusCode = 404;
      return res.end();
    }
    // Validators, so that repeats are answered 304 as real servers do.
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    res.setHeader('etag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      return res.end();
    }
    // No charset: the GBK feed's own declaration decides.
    res.setHeader('content-type', 'application/xml');
    res.end(body);
  });
  t.after(() => s.close());
  writeFileSync(join(data, 'feedmirror.json'), JSON.stringify({ allow: ['127.0.0.1'], perHostInterval: 0, starter: false }));
  // Subscribed in-process (the add command has its own tests); every run below is a real process.
  const store = openStore(join(data, 'feedmirror.db'));
  for (const [path, site] of [['/rss.xml', '示例新闻'], ['/atom.xml', '範例新聞'], ['/gbk.xml', 'GBK示例']]) addSubscription(store, s.url + path, { site });
  store.close();

  const first = await cli(['once', '--data', data]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /cycle: 3 feeds \(3 updated, 0 not modified, 0 failed\); 10 new, 0 updated items/);
  const archive = join(data, 'archive');
  assert.deepEqual(tree(archive), [
    'articles/GBK示例/1048573_没有日期的快讯.md',
    'articles/GBK示例/1048574_秋季农产品展销会开幕.md',
    'articles/GBK示例/1048575_本市地铁新线路今日开通.md',
    'articles/示例新闻/1048572_【评论】[独家] 教育投入如何更有效？.md',
    'articles/示例新闻/1048573_城市公园改造完成 周末迎来大批市民.md',
    'articles/示例新闻/1048574_科学家发布新一代气象卫星观测数据.md',
    'articles/示例新闻/1048575_港口吞吐量创新高 物流业迎来复苏.md',
    'articles/範例新聞/1048573_未來日期的新聞（時間會被截至抓取時間）.md',
    'articles/範例新聞/1048574_央行維持利率不變 市場反應平淡.md',
    'articles/範例新聞/1048575_颱風過境 北部多處停水停電.md',
    'lists/GBK示例.md',
    'lists/示例新闻.md',
    'lists/範例新聞.md',
  ]);
  const read = (rel: string): string => readFileSync(join(archive, rel), 'utf8');
  assert.equal(read('lists/示例新闻.md'), `示例新闻
------

10-21 [【评论】[独家] 教育投入如何更有效？](/articles/示例新闻/1048572_【评论】%5B独家%5D%20教育投入如何更有效？.md)

10-21 [城市公园改造完成 周末迎来大批市民](/articles/示例新闻/1048573_城市公园改造完成%20周末迎来大批市民.md)

10-20 [科学家发布新一代气象卫星观测数据](/articles/示例新闻/1048574_科学家发布新一代气象卫星观测数据.md)

10-20 [港口吞吐量创新高 物流业迎来复苏](/articles/示例新闻/1048575_港口吞吐量创新高%20物流业迎来复苏.md)


[查看更多](/articles/示例新闻)`);
  assert.equal(read('articles/GBK示例/1048575_本市地铁新线路今日开通.md'), `<!--1761062400000-->
[本市地铁新线路今日开通](http://gbk.example.cn/news/3001.html)
------

<p>地铁十号线今日开通运营，全长<b>28公里</b>，设站18座。</p><p>首班车6时发车。</p>
`);
  assert.equal(read('articles/示例新闻/1048574_科学家发布新一代气象卫星观测数据.md'), `<!--1760956200000-->
[科学家发布新一代气象卫星观测数据](https://news.example.com/a/1002.html)
------

<p>新一代静止轨道气象卫星今日起向公众开放观测数据，分辨率提高到<em>250米</em>。</p><p>专家说，这将大幅改善台风和暴雨的预报。</p><pre>波段  分辨率&#10;可见光  250 米&#10;红外  2 公里</pre>
`);
  // Cleaned: tracking parameters gone from the URL and links, relative image made absolute, script dropped.
  const port = read('articles/示例新闻/1048575_港口吞吐量创新高 物流业迎来复苏.md');
  assert.match(port, /^<!--1760947200000-->\n\[港口吞吐量创新高 物流业迎来复苏\]\(https:\/\/news\.example\.com\/a\/1001\.html\)\n/);
  // A relative URL in item HTML is resolved against the item's own link, not the feed's URL.
  assert.ok(port.includes('<img src="https://news.example.com/images/port.jpg"'), port);
  assert.ok(!port.includes(s.url), port);
  assert.match(port, /href="https:\/\/news\.example\.com\/a\/990\.html"/);
  assert.doesNotMatch(port, /script|track\(\)|at_medium|utm_/);
  assert.doesNotMatch(read('articles/示例新闻/1048573_城市公园改造完成 周末迎来大批市民.md'), /onclick/);
  // The future date is clamped to the capture time.
  const future = Number(/^<!--(\d+)-->/.exec(read('articles/範例新聞/1048573_未來日期的新聞（時間會被截至抓取時間）.md'))![1]);
  assert.ok(future <= Date.now() && future > Date.now() - 600_000, String(future));

  const db = (): Sqlite.Database => new Sqlite(join(data, 'feedmirror.db'), { readonly: true });
  const count = (sql: string): number => {
    const d = db();
    try {
      return d.prepare(sql).pluck().get() as number;
    } finally {
      d.close();
    }
  };
  assert.equal(count('SELECT count(*) FROM items'), 10);

  // A second run: the feeds are fetched again, and nothing is written.
  const before = mtimes(data + '/archive');
  const hits = s.hits.length;
  const second = await cli(['once', '--data', data]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(s.hits.length, hits + 3);
  assert.match(second.stdout, /0 new, 0 updated items/);
  assert.deepEqual(mtimes(data + '/archive'), before);
  assert.equal(count('SELECT count(*) FROM items'), 10);

  // The site edits an item: new title, one sentence changed.
  feeds['/rss.xml'] = Buffer.from(sample('rss.xml').toString('utf8')
    .replace('<title>科学家发布新一代气象卫星观测数据</title>', '<title>更正：科学家发布新一代气象卫星观测数据</title>')
    .replace('专家说，这将大幅改善台风和暴雨的预报。', '专家说，这将改善台风的预报。'));
  const third = await cli(['once', '--data', data]);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stdout, /0 new, 1 updated items/);
  const after = mtimes(data + '/archive');
  const edited = 'articles/示例新闻/1048574_科学家发布新一代气象卫星观测数据.md';
  const changed = [...after].filter(([f, m]) => before.get(f) !== m).map(([f]) => f).sort();
  assert.deepEqual(changed, [edited, 'lists/示例新闻.md']);
  assert.equal(read(edited), `<!--1760956200000-->
[更正：科学家发布新一代气象卫星观测数据](https://news.example.com/a/1002.html)
------

<p>新一代静止轨道气象卫星今日起向公众开放观测数据，分辨率提高到<em>250米</em>。</p><p>专家说，这将改善台风的预报。</p><pre>波段  分辨率&#10;可见光  250 米&#10;红外  2 公里</pre>
`);
  assert.match(read('lists/示例新闻.md'), /10-20 \[更正：科学家发布新一代气象卫星观测数据\]\(\/articles\/示例新闻\/1048574_科学家发布新一代气象卫星观测数据\.md\)/);
  assert.equal(count('SELECT count(*) FROM items'), 10);
  assert.equal(count('SELECT count(*) FROM item_revisions'), 1);
  assert.equal(count(`SELECT title FROM item_revisions`) as unknown as string, '科学家发布新一代气象卫星观测数据');

  const id = count(`SELECT id FROM items WHERE path = '${edited}'`);
  const diff = await cli(['diff', join(archive, edited), '--data', data]);
  assert.equal(diff.code, 0, diff.stderr);
  assert.ok(diff.stdout.startsWith(`#${id} ${edited}\n`), diff.stdout);
  assert.match(diff.stdout, /^- title: 科学家发布新一代气象卫星观测数据\n\+ title: 更正：科学家发布新一代气象卫星观测数据$/m);
  assert.match(diff.stdout, /^- 专家说，这将大幅改善台风和暴雨的预报。\n\+ 专家说，这将改善台风的预报。$/m);
  assert.doesNotMatch(diff.stdout, /^[-+] .*新一代静止轨道/m);

  const sites = await cli(['sites', '--json', '--data', data]);
  const rows = JSON.parse(sites.stdout) as { site: string; items: number; edited: number }[];
  assert.deepEqual(rows.map((r) => [r.site, r.items, r.edited]), [['GBK示例', 3, 0], ['示例新闻', 4, 1], ['範例新聞', 3, 0]]);

  // The same edit seen again writes nothing more.
  const again = mtimes(data + '/archive');
  const fourth = await cli(['once', '--data', data]);
  assert.match(fourth.stdout, /0 new, 0 updated items/);
  assert.deepEqual(mtimes(data + '/archive'), again);
  assert.equal(count('SELECT count(*) FROM item_revisions'), 1);

  // A new item fetched by \`feedmirror fetch\` (which does not archive) stores the feed's
  // validators; the next mirror cycle must still get the feed in full and archive it.
  feeds['/rss.xml'] = Buffer.from(feeds['/rss.xml'].toString('utf8').replace('<item>', `<item><title>后来的新闻</title><link>https://news.example.com/a/1005.html</link><guid>https://news.example.com/a/1005.html</guid><pubDate>Wed, 22 Oct 2025 08:00:00 GMT</pubDate><description>新的一条</description></item>\n<item>`));
  const fetched = await cli(['fetch', '--all', '--data', data]);
  assert.equal(fetched.code, 0, fetched.stderr);
  const fifth = await cli(['once', '--data', data]);
  assert.match(fifth.stdout, /1 new, 0 updated items/);
  assert.ok(tree(archive).includes('articles/示例新闻/1048571_后来的新闻.md'));
});
