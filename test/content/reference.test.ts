// The reference item (VOA Chinese via feedx.net) through each step on its own, and through the chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  cleanHtml, STEPS, absolutizeStep, lazyStep, trackingStep, rulesStep, imagesStep, sanitizeStep, type CleanOptions,
} from '../../src/content/index.ts';

const md = readFileSync(new URL('../../../shared/examples/voachinese-7844678.md', import.meta.url), 'utf8');
const HTML = md.split('\n').find((l) => l.startsWith('<div><i>'))!;
const LINK = 'https://www.voachinese.com/a/north-korean-and-russian-foreign-ministers-to-hold-moscow-talks-20241030/7844678.html';
const WESERV = 'https://images.weserv.nl?url={url_noscheme}';
const OPTS: CleanOptions = { baseUrl: LINK, images: { mode: 'template', template: WESERV } };
const IMG = '<img src="https://images.weserv.nl?url=gdb.voanews.com/3e10923b-5cf7-4ac7-8ce1-8d61b0b4d105_r1_s_w900.jpg" width="100%">';
const FOOTER = '<br><hr><div>获取更多RSS：<br><a href="https://feedx.net" style="color:orange" target="_blank">https://feedx.net</a> <br><a href="https://feedx.run" style="color:orange" target="_blank">https://feedx.run</a><br></div>';

test('the reference HTML line is what the example shows', () => {
  assert.ok(HTML.includes(IMG));
  assert.ok(HTML.endsWith(FOOTER));
  assert.equal(HTML.match(/<a href="\/a\/\d+\.html"><\/a>/g)?.length, 2);
});

test('cleaning off: steps [] and "none" give the input back byte for byte', () => {
  assert.equal(cleanHtml(HTML, { ...OPTS, steps: [] }), HTML);
  assert.equal(cleanHtml(HTML, { ...OPTS, steps: 'none' }), HTML);
});

test('step 1 (urls): the two empty relative anchors are dropped, nothing else changes', () => {
  const out = absolutizeStep(HTML, OPTS);
  assert.equal(out, HTML.replace('<a href="/a/7844720.html"></a>', '').replace('<a href="/a/7843912.html"></a>', ''));
});

test('step 1 (urls): the same relative link with text is made absolute against the item link', () => {
  const withText = HTML.replace('<a href="/a/7844720.html"></a>', '<a href="/a/7844720.html">相关</a>');
  const out = absolutizeStep(withText, OPTS);
  assert.ok(out.includes('<a href="https://www.voachinese.com/a/7844720.html">相关</a>'));
  assert.ok(!out.includes('/a/7843912.html'));
});

test('steps 2 and 3 (lazy, tracking) have nothing to do on the reference item', () => {
  assert.equal(lazyStep(HTML, OPTS), HTML);
  assert.equal(trackingStep(HTML, OPTS), HTML);
});

test('step 4 (rules): the feedx 获取更多RSS footer goes with its <br><hr> separators, and only that', () => {
  const out = rulesStep(HTML, OPTS);
  assert.equal(out, HTML.slice(0, -FOOTER.length));
  assert.ok(out.endsWith('五角大楼周一也表示，如果朝鲜参战，美国将取消对乌克兰使用美国武器的限制。</p>'));
});

test('step 5 (images): the weserv image is kept as is (already on the template host)', () => {
  assert.equal(imagesStep(HTML, OPTS), HTML);
  const direct = HTML.replace('https://images.weserv.nl?url=gdb.voanews.com/', 'https://gdb.voanews.com/');
  assert.equal(imagesStep(direct, OPTS), HTML);
});

test('step 6 (sanitize): text, the image, the caption style survive; void tags are re-serialized', () => {
  const out = sanitizeStep(HTML, OPTS);
  assert.ok(out.includes('<img src="https://images.weserv.nl?url=gdb.voanews.com/3e10923b-5cf7-4ac7-8ce1-8d61b0b4d105_r1_s_w900.jpg" width="100%" />'));
  assert.ok(out.includes('<small style="color: #999;">俄罗斯外长拉夫罗夫'));
  assert.ok(out.includes('<a href="https://feedx.net" style="color:orange" target="_blank" rel="noopener noreferrer">'));
  assert.ok(out.includes('<br /><hr /><div>'));
  const text = (s: string): string => s.replace(/<[^>]*>/g, '');
  assert.equal(text(out), text(HTML));
});

test('the whole chain on the reference item', () => {
  const out = cleanHtml(HTML, OPTS);
  assert.ok(out.startsWith('<div><i>Wed, 30 Oct 2024 15:17:01 GMT</i></div><img src="https://images.weserv.nl?url=gdb.voanews.com/'));
  assert.ok(!out.includes('获取更多RSS'));
  assert.ok(!out.includes('/a/7844720.html'));
  assert.ok(out.endsWith('美国将取消对乌克兰使用美国武器的限制。</p>'));
  assert.deepEqual([...STEPS], ['urls', 'lazy', 'tracking', 'rules', 'images', 'sanitize']);
  // Idempotent: cleaning clean output changes nothing.
  assert.equal(cleanHtml(out, OPTS), out);
});

test('without sanitize, the chain only splices: everything outside the edits is byte-identical', () => {
  const out = cleanHtml(HTML, { ...OPTS, steps: ['urls', 'lazy', 'tracking', 'rules', 'images'] });
  const expected = HTML.slice(0, -FOOTER.length).replace('<a href="/a/7844720.html"></a>', '').replace('<a href="/a/7843912.html"></a>', '');
  assert.equal(out, expected);
});
