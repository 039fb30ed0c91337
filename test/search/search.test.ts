import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Database } from '../../src/store/index.ts';
import { indexItem, indexItems, removeItem, search, indexedCount, SearchQueryError, type SearchResult } from '../../src/search/index.ts';

// The reference item: <!--epoch ms-->, [title](url), ------, blank line, the HTML.
const md = readFileSync(new URL('../../../shared/examples/voachinese-7844678.md', import.meta.url), 'utf8');
const [, epoch, refTitle] = /^<!--(\d+)-->\n\[(.*)\]\(.*\)\n-+\n\n/.exec(md)!;
const refHtml = md.replace(/^(?:.*\n){4}/, '');
const REF = 1;
const NOW = Date.UTC(2024, 11, 1);
const day = (s: string) => Date.parse(`${s}T12:00:00Z`);

let dir: string;
let db: Database;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fm-search-'));
  db = openStore(join(dir, 'feedmirror.db'));
  indexItem(db, { id: REF, site: 'voa', title: refTitle, html: refHtml, published: Number(epoch) });
  indexItems(db, [
    // Traditional Chinese, another site.
    { id: 2, site: 'rfa', title: '朝鮮外相抵達莫斯科', html: '<p>朝鮮外相<b>崔善</b>姬週二抵達俄羅斯遠東，隨後前往莫斯科會晤俄羅斯外長。</p>', published: day('2024-11-01') },
    { id: 3, site: 'bbc', title: 'North Korean minister in Moscow', html: '<p>Foreign Minister <i>Choe Son Hui</i> arrived in Moscow on Friday &amp; met Sergei Lavrov.</p>', published: day('2024-10-31') },
    { id: 4, site: 'voa', title: '天气预报', html: '<p>明天北京有雨，气温下降。</p><script>崔善姬()</script>', published: day('2024-09-01') },
    // Ranking: 5 and 6 are equal but for the date; 7 is about the term, 8 merely mentions it once.
    { id: 5, site: 'rank', title: '年度报告', html: '<p>考拉在动物园出生。</p>', published: day('2024-06-01') },
    { id: 6, site: 'rank', title: '年度报告', html: '<p>考拉在动物园出生。</p>', published: day('2024-06-02') },
    { id: 7, site: 'rank', title: '考拉保育', html: '<p>考拉数量下降，考拉栖息地减少，保护考拉刻不容缓。</p>', published: day('2024-01-01') },
    { id: 8, site: 'rank', title: '澳洲旅游', html: '<p>悉尼的海滩、歌剧院和港湾大桥吸引游客，也有人去看考拉。</p>', published: day('2024-01-01') },
  ]);
});

after(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (r: SearchResult) => r.hits.map((h) => h.id);
const find = (q: string) => search(db, q, { now: NOW });

test('the store file holds the index', () => {
  assert.equal(indexedCount(db), 8);
});

test('two-character words and names find the reference item', () => {
  for (const q of ['崔善姬', '外相', '拉夫罗夫', '扎哈罗娃', '符拉迪沃斯托克', '沃斯托克', '海参崴', '库尔斯克', '俄乌战争', '朝中社']) {
    assert.ok(ids(find(q)).includes(REF), `${q} finds the reference item`);
  }
  assert.deepEqual(ids(find('外长拉夫罗夫')), [REF], 'a name the segmenter cuts in pieces, inside a longer query');
});

// Words, names, partial names and compounds of the reference text; an index of
// segmenter words alone misses 克里姆林 (docs/search.md), bigrams miss none.
const RECALL = ['崔善姬', '外相', '外长', '拉夫罗夫', '扎哈罗娃', '谢尔盖', '符拉迪沃斯托克', '沃斯托克', '海参崴', '库尔斯克',
  '克里姆林宫', '朝中社', '五角大楼', '俄乌战争', '战略磋商', '莫斯科会晤', '泽连斯基', '尹锡悦', '莱德', '平壤', '普京', '美联社',
  '路透社', '北约', '乌军', '远东', '特种兵', '大韩民国', '杀伤性武器', '朝鲜外务省', '外交部长', '善姬', '拉夫', '泽连斯', '斯基',
  '锡悦', '克里姆林', '国际社会', '记者会', '发言人', '国防部', '新闻秘书', '情报机构', '国家安全', '代表团', '外交部', '朝鲜官媒',
  '例行记者会', '俄罗斯远东', '港口城市'];

test('recall on words, names and parts of names of the reference item', () => {
  const missed = RECALL.filter((q) => !ids(find(q)).includes(REF) || !ids(find(`"${q}"`)).includes(REF));
  assert.deepEqual(missed, []);
});

test('a Traditional query finds the Simplified article, and the reverse', () => {
  assert.ok(ids(find('莫斯科會晤')).includes(REF));
  assert.ok(ids(find('朝鮮外相')).includes(REF));
  const r = find('莫斯科会晤');
  assert.ok(ids(r).includes(2), 'Simplified query, Traditional article');
  // The snippet is cut from the text as written.
  const hit = r.hits.find((h) => h.id === 2)!;
  assert.match(hit.snippet, /<mark>莫斯科<\/mark><mark>會晤<\/mark>|<mark>莫斯科<\/mark>會晤|<mark>會晤<\/mark>/);
  assert.match(hit.snippet, /會晤/);
});

test('inline markup does not split a name; script text is not indexed', () => {
  assert.ok(ids(find('崔善姬')).includes(2), '<b>崔善</b>姬');
  assert.ok(!ids(find('崔善姬')).includes(4), 'text in <script> is not searchable');
});

test('unspaced words need not be adjacent; a phrase must be', () => {
  // The text has 朝鲜外相崔善姬, never 朝鲜崔善姬.
  assert.ok(ids(find('朝鲜崔善姬')).includes(REF));
  assert.ok(!ids(find('"朝鲜崔善姬"')).includes(REF));
  assert.ok(ids(find('"朝鲜外相崔善姬"')).includes(REF));
  assert.ok(ids(find('「外相 崔善姬」')).includes(REF), 'a space between Chinese characters in a phrase is ignored');
  assert.deepEqual(ids(find('"Choe Son Hui"')).sort(), [REF, 3]);
  assert.deepEqual(ids(find('"Son Choe"')), []);
});

test('English is case-insensitive and matches whole words', () => {
  assert.deepEqual(ids(find('LAVROV')).sort(), [REF, 3]);
  assert.deepEqual(ids(find('lav')), []);
  assert.deepEqual(ids(find('friday moscow')), [3]);
});

test('exclusion', () => {
  assert.ok(ids(find('崔善姬')).includes(REF));
  // The reference item is about the war in Ukraine; the others are not.
  const r = find('崔善姬 -乌克兰');
  assert.ok(!ids(r).includes(REF));
  assert.ok(ids(r).includes(2));
  assert.deepEqual(ids(find('moscow -"foreign minister"')), []);
  assert.deepEqual(ids(find('lavrov -friday')), [REF]);
});

test('site: filters, -site: excludes', () => {
  assert.deepEqual(ids(find('崔善姬 site:voa')), [REF]);
  assert.deepEqual(ids(find('崔善姬 site:rfa')), [2]);
  assert.deepEqual(ids(find('崔善姬 site:rfa site:voa')).sort(), [REF, 2]);
  assert.deepEqual(ids(find('崔善姬 -site:voa')), [2]);
  assert.deepEqual(ids(find('崔善姬 site:nowhere')), []);
});

test('after: and before: dates (UTC days; after inclusive, before exclusive)', () => {
  // REF is 2024-10-30, 2 is 2024-11-01.
  assert.deepEqual(ids(find('崔善姬 after:2024-10-31')), [2]);
  assert.deepEqual(ids(find('崔善姬 before:2024-10-31')), [REF]);
  assert.deepEqual(ids(find('崔善姬 after:2024-10-30 before:2024-10-31')), [REF]);
  assert.deepEqual(ids(find('崔善姬 after:2024-11-02')), []);
});

test('filters alone list the newest matching items', () => {
  const r = find('site:rank');
  assert.equal(r.total, 4);
  assert.deepEqual(ids(r), [6, 5, 8, 7], "newest first, then by id");
  assert.deepEqual(ids(find('site:rank -动物园')), [8, 7]);
});

test('ranking: the more relevant first; at equal relevance the newer', () => {
  const r = find('考拉');
  assert.equal(r.total, 4);
  assert.equal(r.hits[0].id, 7, 'the item about koalas');
  assert.equal(ids(r).at(-1), 8, 'a passing mention last');
  assert.ok(ids(r).indexOf(6) < ids(r).indexOf(5), 'same text, newer first');
  assert.ok(r.hits.every((h, i) => i === 0 || h.score <= r.hits[i - 1].score));
});

test('snippets mark the matches in the original text, HTML-escaped', () => {
  const hit = find('崔善姬 外相').hits.find((h) => h.id === REF)!;
  assert.match(hit.snippet, /<mark>崔善姬<\/mark>/);
  assert.match(hit.snippet, /<mark>外相<\/mark>/);
  assert.ok(hit.snippet.length < 400);
  assert.doesNotMatch(hit.snippet, /<(?!\/?mark>)/, 'no markup but <mark>');
  assert.match(hit.titleHtml, /朝鲜<mark>外相<\/mark>将在莫斯科/);
  const en = find('lavrov').hits.find((h) => h.id === 3)!;
  assert.match(en.snippet, /<mark>Lavrov<\/mark>/, 'case as written');
  assert.match(en.snippet, /Friday &#38; met/, 'escaped');
  assert.equal(en.title, 'North Korean minister in Moscow');
});

test('paging and totals', () => {
  const all = find('考拉');
  const p1 = search(db, '考拉', { now: NOW, limit: 2 });
  const p2 = search(db, '考拉', { now: NOW, limit: 2, offset: 2 });
  assert.equal(p1.total, 4);
  assert.deepEqual([...ids(p1), ...ids(p2)], ids(all));
});

test('re-indexing replaces, removing removes, deleting the item drops it', () => {
  indexItem(db, { id: 100, site: 'tmp', title: '河马', html: '<p>河马在河里</p>', published: day('2024-01-01') });
  assert.deepEqual(ids(find('河马')), [100]);
  indexItem(db, { id: 100, site: 'tmp', title: '长颈鹿', html: '<p>长颈鹿很高</p>', published: day('2024-01-01') });
  assert.deepEqual(ids(find('河马')), []);
  assert.deepEqual(ids(find('长颈鹿')), [100]);
  assert.equal(removeItem(db, 100), true);
  assert.equal(removeItem(db, 100), false);
  assert.deepEqual(ids(find('长颈鹿')), []);

  db.prepare(`INSERT INTO items (id, site, url, title, content_hash, first_seen, archive_id, path)
              VALUES (200, 'tmp', 'https://example.com/1', 'x', 'h', 0, 1, 'tmp/1.md')`).run();
  indexItem(db, { id: 200, site: 'tmp', title: '斑马', text: '斑马线' });
  assert.deepEqual(ids(find('斑马')), [200]);
  db.prepare('DELETE FROM items WHERE id = 200').run();
  assert.deepEqual(ids(find('斑马')), []);
  assert.equal(indexedCount(db), 8);
});

test('bad queries get a clear error; FTS5 syntax in the input is only text', () => {
  assert.throws(() => find('崔善姬 after:2024-13-01'), SearchQueryError);
  assert.throws(() => find('崔善姬 after:2024-02-30'), /after: expects a date/);
  assert.throws(() => find('-乌克兰'), /at least one word/);
  assert.throws(() => find('x'.repeat(2000)), /too long/);
  assert.throws(() => find('a after:2024-02-01 before:2024-01-01'), /earlier/);
  assert.throws(() => search(db, 'a', { limit: -1 }), SearchQueryError);
  for (const q of ['"', '*', 'NEAR(a b)', 'a AND', 'OR', '(', ')', '^a', 'title:a', '-', '""', '"*"', "'", 'a:b', '\u0000', '，。', 'site:']) {
    try {
      const r = find(q);
      assert.ok(Array.isArray(r.hits));
    } catch (err) {
      assert.ok(err instanceof SearchQueryError, `${q}: ${(err as Error).message}`);
    }
  }
  assert.deepEqual(ids(find('，。')), []);
  assert.throws(() => indexItem(db, { id: 1.5, site: 'x', title: '' }), TypeError);
  assert.throws(() => indexItem(db, { id: 9, site: '', title: '' }), TypeError);
});

test('many matches: the newest candidates, newest first', () => {
  const many = openStore(join(dir, 'many.db'));
  try {
    const items = [];
    for (let i = 1; i <= 1200; i++) {
      items.push({ id: i, site: 'zoo', title: i === 1150 || i === 10 ? '熊猫馆开放' : `动物园新闻${i}`, text: `今天的动物园里有熊猫和考拉。第${i}天。`, published: day('2024-01-01') + i * 60_000 });
    }
    indexItems(many, items);
    const r = search(many, '熊猫', { now: NOW, limit: 5 });
    assert.equal(r.total, 1200);
    assert.equal(r.exact, true);
    assert.deepEqual(ids(r), [1200, 1199, 1198, 1197, 1196], 'newest first');
    assert.ok(!ids(search(many, '熊猫', { now: NOW, limit: 1000 })).includes(10), 'older than the candidates');
    assert.deepEqual(ids(search(many, '熊猫 -第1200天', { now: NOW, limit: 2 })), [1199, 1198]);
    assert.deepEqual(ids(search(many, '熊猫馆', { now: NOW })), [1150, 10], 'few matches: bm25 over all of them');
  } finally {
    many.close();
  }
});
