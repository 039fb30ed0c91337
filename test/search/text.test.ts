import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlToText, normalize, indexTokens, queryWords, parseQuery, compileQuery, snippet, markPattern } from '../../src/search/index.ts';

test('htmlToText: tags out, entities decoded, blocks separate words, inline elements do not', () => {
  assert.equal(htmlToText('<p>一</p><p>二</p>'), '一 二');
  assert.equal(htmlToText('<b>崔</b>善<i>姬</i>'), '崔善姬');
  assert.equal(htmlToText('a<br>b<br/>c'), 'a b c');
  assert.equal(htmlToText('Tom &amp; Jerry &lt;3 &#x4e2d;&#22269; &nbsp;x'), 'Tom & Jerry <3 中国 x');
  assert.equal(htmlToText('<script>alert(1)</script><style>p{}</style>可见<noscript>不</noscript>'), '可见');
  assert.equal(htmlToText('<div>\n  line\n  two\n</div>'), 'line two');
  assert.equal(htmlToText('<img src=x alt="图片">说明'), '说明');
  assert.equal(htmlToText(''), '');
  assert.equal(htmlToText('<p unclosed <<>>'), '>');
});

test('normalize: Traditional to Simplified, full-width to ASCII, lower case, same length', () => {
  assert.equal(normalize('莫斯科會晤'), '莫斯科会晤');
  assert.equal(normalize('朝鮮外相崔善姬週二抵達'), '朝鲜外相崔善姬周二抵达');
  assert.equal(normalize('臺灣 裡 後'), '台湾 里 后');
  assert.equal(normalize('ＣＯＶＩＤ－１９'), 'covid-19');
  assert.equal(normalize('Ünïcode İ'), 'ünïcode İ');
  assert.equal(normalize('已经是简体'), '已经是简体');
  for (const s of ['𠮷野家 會', 'İstanbul', 'ﬁ ß Σ', '\u{1F600}會']) assert.equal(normalize(s).length, s.length, s);
});

test('indexTokens: CJK bigrams plus the last character, Latin words', () => {
  assert.equal(indexTokens('崔善姬'), '崔善 善姬 姬');
  assert.equal(indexTokens('朝'), '朝');
  assert.equal(indexTokens('vladivostok海参崴，covid-19'), 'vladivostok 海参 参崴 崴 covid 19');
  assert.equal(indexTokens('ひらがな'), 'ひら らが がな な');
  assert.equal(indexTokens('a'.repeat(65) + ' ok'), 'ok');
  assert.equal(indexTokens('，。！'), '');
});

test('queryWords keeps single characters in a row together', () => {
  assert.deepEqual(queryWords('朝鲜外相崔善姬'), ['朝鲜', '外相', '崔善姬']);
  assert.deepEqual(queryWords('外相'), ['外相']);
});

test('parseQuery: words, phrases, exclusions, operators', () => {
  const q = parseQuery('崔善姬 "战略 磋商" -乌克兰 -"a b" site:voa -site:rfa after:2024-10-01 before:2024-11-01 10:30');
  assert.deepEqual(q.must, [{ kind: 'word', text: '崔善姬' }, { kind: 'phrase', text: '战略 磋商' }, { kind: 'word', text: '10:30' }]);
  assert.deepEqual(q.not, [{ kind: 'word', text: '乌克兰' }, { kind: 'phrase', text: 'a b' }]);
  assert.deepEqual(q.sites, ['voa']);
  assert.deepEqual(q.notSites, ['rfa']);
  assert.equal(q.after, Date.UTC(2024, 9, 1));
  assert.equal(q.before, Date.UTC(2024, 10, 1));
  assert.deepEqual(parseQuery('“外相”').must, [{ kind: 'phrase', text: '外相' }]);
  assert.deepEqual(parseQuery('"unclosed phrase').must, [{ kind: 'phrase', text: 'unclosed phrase' }]);
  assert.throws(() => parseQuery('-after:2024-01-01'), /cannot be negated/);
  assert.throws(() => parseQuery('before:yesterday'), /expects a date/);
  assert.throws(() => parseQuery(Array(40).fill('w').join(' ')), /too many/);
  assert.throws(() => compileQuery(parseQuery('朝鲜外相'.repeat(40))), /too many words/);
});

test('compileQuery quotes every token; user text never becomes FTS5 syntax', () => {
  assert.equal(compileQuery(parseQuery('崔善姬')).match, '"崔善 善姬"');
  assert.equal(compileQuery(parseQuery('a" OR b')).match, '"a" AND "or" AND "b"');
  assert.equal(compileQuery(parseQuery('NEAR(x*')).match, '"near x"');
  assert.equal(compileQuery(parseQuery('外相 -"战略磋商"')).match, '("外相") NOT ("战略 略磋 磋商")');
  assert.equal(compileQuery(parseQuery('的')).match, '"的" *');
  assert.equal(compileQuery(parseQuery('"Vladivostok海参崴"')).match, '"vladivostok 海参 参崴"');
  assert.equal(compileQuery(parseQuery('"海参崴 Vladivostok"')).match, '"海参 参崴 崴 vladivostok"');
  assert.equal(compileQuery(parseQuery('site:voa')).match, undefined);
});

test('snippet: window around the matches, escaped, cut marks', () => {
  const text = `${'前'.repeat(300)}崔善姬<外相>${'后'.repeat(300)}`;
  const s = snippet(text, markPattern(['崔善姬', '外相']), 60);
  assert.match(s, /^…前+<mark>崔善姬<\/mark>&#60;<mark>外相<\/mark>&#62;后+…$/);
  assert.ok(s.length < 200);
  assert.equal(snippet('短文', markPattern(['无']), 60), '短文');
  assert.equal(snippet('abc', undefined), 'abc');
  assert.match(snippet('Lavrov met LAVROVA and lavrov.', markPattern(['lavrov'])), /<mark>Lavrov<\/mark> met LAVROVA and <mark>lavrov<\/mark>\./);
});
