import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { extract, loadRules, parseFtrConfig, parseJsonRule, RuleError, selectXPath, XPathError, matchRule } from '../../src/extract/index.ts';
import { parseHtml } from '../../src/extract/dom.ts';

const PAGE = `<html><head><title>Ignored title - Site</title></head><body>
<div id="header"><h1 class="site">The Site</h1></div>
<div class="post-wrap">
  <h2 class="headline">Rule title</h2>
  <span class="meta">作者：李四</span><span class="pubtime">2024-03-02 10:00</span>
  <div id="story" class="story-body main">
    <p>First paragraph of the story body, long enough to matter to anyone.</p>
    <div class="share-tools">Share this</div>
    <p class="ad-note">Sponsored message</p>
    <img src="https://ads.example/banner.gif"><img src="/photos/real.jpg">
    <p>Second paragraph, after the ads. OLDWORD stays replaced.</p>
  </div>
  <div class="pager"><a href="/story?page=2" class="next">more</a></div>
  <a class="print" href="/story/print">print</a>
</div></body></html>`;

test('XPath subset: paths, predicates, functions, unions, attributes', () => {
  const doc = parseHtml(PAGE);
  const names = (x: string) => selectXPath(x, doc).elements.map((e) => `${e.name}${e.attribs.id ? '#' + e.attribs.id : ''}`);
  assert.deepEqual(names("//div[@id='story']"), ['div#story']);
  assert.deepEqual(names('//div[contains(@class, "story-body")]'), ['div#story']);
  assert.deepEqual(names("//div[contains(concat(' ',normalize-space(@class),' '),' main ')]"), ['div#story']);
  assert.deepEqual(names("//h1 | //h2[@class='headline']"), ['h1', 'h2']);
  assert.deepEqual(names("//div[@id='story']/p[2]"), ['p']);
  assert.equal(selectXPath("//div[@id='story']/p[2]", doc).strings[0], 'Sponsored message');
  assert.deepEqual(names("//div[@id='story']/p[last()]").length, 1);
  assert.deepEqual(names("//div[starts-with(@class,'post') and not(@id)]"), ['div']);
  assert.deepEqual(names('//*[@id="header"]//h1'), ['h1']);
  assert.deepEqual(selectXPath("//a[contains(@class,'next')]/@href", doc).strings, ['/story?page=2']);
  assert.deepEqual(selectXPath("//h2/text()", doc).strings, ['Rule title']);
  assert.deepEqual(names("//p[contains(text(), 'Second')]/.."), ['div#story']);
  assert.deepEqual(names("//article"), []);
  for (const bad of ['//div[', '//div[@id=]', '//div[foo:bar(1)]', '///', '//div[@id="x"]]']) {
    assert.throws(() => selectXPath(bad, doc), XPathError, bad);
  }
});

test('ftr-site-config: directives parsed, comments and unknown lines ignored', () => {
  const r = parseFtrConfig([
    '# example.com',
    'title: //h2[@class="headline"]',
    'body: //div[@id="story"]',
    'body: //article',
    'date: //span[@class="pubtime"]',
    'author: //span[@class="meta"]',
    'strip: //p[@class="ad-note"]',
    'strip_id_or_class: share-tools',
    'strip_image_src: ads.example',
    'find_string: OLDWORD',
    'replace_string: NEWWORD',
    'replace_string(Ignored title): Replaced title',
    'next_page_link: //a[contains(@class,"next")]',
    'single_page_link: //a[@class="print"]',
    'prune: no',
    'tidy: no',
    'http_header(user-agent): Mozilla',
    'test_url: http://example.com/story',
    'not a directive line',
  ].join('\n'), 'Example.com');
  assert.equal(r.domain, 'example.com');
  assert.deepEqual(r.body, [{ xpath: '//div[@id="story"]' }, { xpath: '//article' }]);
  assert.deepEqual(r.stripIdOrClass, ['share-tools']);
  assert.deepEqual(r.stripImageSrc, ['ads.example']);
  assert.deepEqual(r.replace, [['OLDWORD', 'NEWWORD'], ['Ignored title', 'Replaced title']]);
  assert.equal(r.prune, false);
  assert.deepEqual(r.testUrls, ['http://example.com/story']);
  assert.equal(r.nextPage.length, 1);
  assert.equal(r.singlePage.length, 1);
});

test('ftr-site-config applied: body, strips, replacements, title, author, date, links', () => {
  const rule = parseFtrConfig([
    'title: //h2[@class="headline"]', 'body: //div[@id="story"]', 'date: //span[@class="pubtime"]', 'author: //span[@class="meta"]',
    'strip: //p[@class="ad-note"]', 'strip_id_or_class: share-tools', 'strip_image_src: ads.example',
    'find_string: OLDWORD', 'replace_string: NEWWORD', 'next_page_link: //a[contains(@class,"next")]', 'single_page_link: //a[@class="print"]',
  ].join('\n'), 'example.com');
  const a = extract(PAGE, { url: 'https://www.example.com/story', rules: [rule] });
  assert.equal(a.title, 'Rule title');
  assert.equal(a.byline, '李四');
  assert.equal(a.published, Date.parse('2024-03-02T10:00:00Z'));
  assert.deepEqual(a.text.split('\n'), [
    'First paragraph of the story body, long enough to matter to anyone.',
    'Second paragraph, after the ads. NEWWORD stays replaced.',
  ]);
  assert.ok(a.html.includes('https://www.example.com/photos/real.jpg'));
  assert.ok(!a.html.includes('banner.gif'));
  assert.equal(a.nextPage, 'https://www.example.com/story?page=2');
  assert.equal(a.singlePage, 'https://www.example.com/story/print');
  // Without the rule the body is still found, but not the rule's title.
  const plain = extract(PAGE, { url: 'https://www.example.com/story' });
  assert.notEqual(plain.title, 'Rule title');
  // A rule for another site does not apply.
  assert.equal(extract(PAGE, { url: 'https://other.example/story', rules: [rule] }).title, plain.title);
});

test('JSON rules: CSS selectors, validation errors', () => {
  const rule = parseJsonRule(JSON.stringify({ body: '#story', title: ['h2.headline'], strip: ['.share-tools', 'p.ad-note'], nextPage: 'a.next', replace: [['OLDWORD', 'NEW']] }), 'example.com');
  const a = extract(PAGE, { url: 'https://example.com/story', rules: [rule] });
  assert.equal(a.title, 'Rule title');
  assert.ok(a.text.includes('NEW stays replaced') && !a.text.includes('Sponsored') && !a.text.includes('Share this'));
  assert.equal(a.nextPage, 'https://example.com/story?page=2');
  assert.throws(() => parseJsonRule('{bad json', 'x.com'), RuleError);
  assert.throws(() => parseJsonRule('[]', 'x.com'), RuleError);
  assert.throws(() => parseJsonRule('{"body": 3}', 'x.com'), /"body" must be a string/);
  assert.throws(() => parseJsonRule('{"body": "div[["}', 'x.com'), /invalid CSS selector/);
  assert.throws(() => parseJsonRule('{"replace": [["a"]]}', 'x.com'), /"replace"/);
  assert.throws(() => parseJsonRule('{"body": "p"}'), /without a domain/);
});

test('rule matching: exact host, www, parent domains, leading-dot wildcards', () => {
  const mk = (domain: string) => parseJsonRule('{}', domain);
  const rules = [mk('news.example.com'), mk('example.com'), mk('.wild.org')];
  assert.equal(matchRule(rules, 'https://news.example.com/a')?.domain, 'news.example.com');
  assert.equal(matchRule(rules, 'https://www.example.com/a')?.domain, 'example.com');
  assert.equal(matchRule(rules, 'https://sports.example.com/a')?.domain, 'example.com');
  assert.equal(matchRule(rules, 'https://a.b.wild.org/x')?.domain, '.wild.org');
  assert.equal(matchRule(rules, 'https://example.org/')?.domain, undefined);
  assert.equal(matchRule(rules, 'not a url'), undefined);
});

test('loadRules: a directory of .json and .txt, bad files reported, not fatal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-rules-'));
  try {
    writeFileSync(join(dir, 'example.com.txt'), 'body: //div[@id="story"]\n');
    writeFileSync(join(dir, 'news.example.org.json'), '{"body": "article"}');
    writeFileSync(join(dir, 'broken.json'), '{nope');
    writeFileSync(join(dir, 'README.md'), '# not a rule');
    const { rules, errors } = loadRules(dir);
    assert.deepEqual(rules.map((r) => r.domain).sort(), ['example.com', 'news.example.org']);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^broken\.json: invalid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken XPath in a rule disables that selector only', () => {
  const rule = parseFtrConfig('body: //div[@id=\nbody: //div[@id="story"]\ntitle: //h2[oops(]', 'example.com');
  const a = extract(PAGE, { url: 'https://example.com/story', rules: [rule] });
  assert.ok(a.text.startsWith('First paragraph'));
  assert.notEqual(a.title, undefined);
});
