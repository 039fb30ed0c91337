// The static search index's tokens and the site's file names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docTokens, shardOf, slug, words } from '../../src/site/index.ts';

test('document tokens: Segmenter words, the characters of Chinese words, the Simplified form of Traditional text', () => {
  const t = docTokens('朝鲜外相崔善姬将在莫斯科会晤 Lavrov, 2024年');
  for (const w of ['外相', '外', '相', '崔', '善', '姬', '莫斯科', 'lavrov', '2024']) assert.ok(t.has(w), w);
  assert.ok(!t.has(','));
  const trad = docTokens('莫斯科會晤');
  assert.ok(trad.has('會') && trad.has('会'));
  assert.deepEqual(words('ＡＢＣ  Hello，世界'), ['abc', 'hello', '世界']);
  // Long runs are cut before segmenting, and the words still come out.
  assert.equal(words('经济'.repeat(1000)).join(''), '经济'.repeat(1000));
});

test('a token\'s shard depends only on its first character', () => {
  assert.equal(shardOf('外相', 64), shardOf('外', 64));
  assert.ok(shardOf('外相', 64) < 64);
});

test('slugs: plain names kept, others cleaned and made unique by a hash', () => {
  assert.equal(slug('美国之音'), '美国之音');
  assert.equal(slug('voa'), 'voa');
  assert.match(slug('Example News'), /^Example-News-[0-9a-f]{8}$/);
  assert.notEqual(slug('a b'), slug('a-b'));
  assert.match(slug('../..'), /^x-[0-9a-f]{8}$/);
  assert.doesNotMatch(slug('a/b%c'), /[/%]/);
});
