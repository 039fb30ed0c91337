import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nestingDepth } from '../../src/content/html.ts';
import { requiredLiteral } from '../../src/content/rules.ts';
import {
  absolutizeStep, lazyStep, trackingStep, rulesStep, imagesStep, cleanHtml, parseRules, BUILTIN_RULES,
  normalizeLink, stripTracking, isTrackerUrl, templateRewriter, imageUrls, parseSrcset, absolutize,
} from '../../src/content/index.ts';

const base = 'https://news.example/2024/10/item.html';

test('urls: href, src, srcset, poster, cite, longdesc and lazy data-* made absolute; others kept byte for byte', () => {
  const html =
    `<p class=x>keep   this</p><a href="../a.html?x=1&amp;y=2">a</a><img src='img/1.jpg' srcset="img/1.jpg 1x, /img/2.jpg 2x" longdesc=d.html>` +
    `<video poster="p.jpg"></video><blockquote cite="/q">q</blockquote><img data-src="lazy/a.jpg" data-srcset="l/a.jpg 1x,l/b.jpg 2x" alt="">`;
  const out = absolutizeStep(html, { baseUrl: base });
  assert.equal(
    out,
    `<p class=x>keep   this</p><a href="https://news.example/2024/a.html?x=1&amp;y=2">a</a><img src="https://news.example/2024/10/img/1.jpg" srcset="https://news.example/2024/10/img/1.jpg 1x, https://news.example/img/2.jpg 2x" longdesc="https://news.example/2024/10/d.html">` +
      `<video poster="https://news.example/2024/10/p.jpg"></video><blockquote cite="https://news.example/q">q</blockquote><img data-src="https://news.example/2024/10/lazy/a.jpg" data-srcset="https://news.example/2024/10/l/a.jpg 1x, https://news.example/2024/10/l/b.jpg 2x" alt="">`,
  );
});

test('urls: absolute, fragment, mailto and javascript: values are not touched; protocol-relative gets the scheme', () => {
  const html = '<a href="#top">t</a><a href="mailto:a@b.c">m</a><a href="https://o.example/x">o</a><a href="javascript:x()">j</a><img src="//cdn.example/i.png">';
  assert.equal(absolutizeStep(html, { baseUrl: base }), html.replace('//cdn.example', 'https://cdn.example'));
});

test('urls: no (or a bad) base leaves relative URLs; empty links go (named ones too), image links and bare anchors stay', () => {
  const html = '<a href="/x"></a><a href="/y"> &nbsp; </a><a name="n" href="/z"></a><a name="top"></a><a href="/i"><img src="i.png"></a><a href="/t">t</a>';
  const expected = '<a name="top"></a><a href="/i"><img src="i.png"></a><a href="/t">t</a>';
  assert.equal(absolutizeStep(html, {}), expected);
  assert.equal(absolutizeStep(html, { baseUrl: 'not a url' }), expected);
});

test('srcset parsing keeps commas inside URLs', () => {
  assert.deepEqual(parseSrcset('a.jpg?w=1,2 1x,b.jpg 2x'), [
    { url: 'a.jpg?w=1,2', descriptor: '1x' },
    { url: 'b.jpg', descriptor: '2x' },
  ]);
  assert.equal(absolutize('  ', base), '  ');
});

test('lazy: data-src over a placeholder becomes src; a real src is kept', () => {
  const gif = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
  assert.equal(lazyStep(`<img src="${gif}" data-src="https://x.example/a.jpg" alt=a>`, {}), '<img src="https://x.example/a.jpg" alt=a>');
  assert.equal(lazyStep('<img data-original="https://x.example/b.jpg">', {}), '<img src="https://x.example/b.jpg">');
  assert.equal(lazyStep('<img src="/img/blank.gif" data-lazy-src="https://x.example/c.jpg">', {}), '<img src="https://x.example/c.jpg">');
  assert.equal(lazyStep('<img src="https://x.example/d.jpg" data-actualsrc="https://x.example/e.jpg">', {}), '<img src="https://x.example/d.jpg" data-actualsrc="https://x.example/e.jpg">');
  assert.equal(lazyStep('<img data-srcset="https://x.example/a.jpg 1x, https://x.example/b.jpg 2x" src="https://x.example/a.jpg">', {}), '<img src="https://x.example/a.jpg" srcset="https://x.example/a.jpg 1x, https://x.example/b.jpg 2x">');
  assert.equal(lazyStep('<p data-src="x">p</p>', {}), '<p data-src="x">p</p>');
});

test('tracking: 1x1 pixels and tracker images go, real images stay', () => {
  const html =
    '<p>a<img src="https://x.example/p.gif" width="1" height="1">b</p><img src="https://feeds.feedburner.com/~r/foo/~4/abc" height="1" width="1" alt="">' +
    '<img src="https://pixel.wp.com/b.gif?x=1"><img src="https://stats.example.com/c.png" width=300><img src="https://x.example/real.jpg" width="600" height="400">' +
    '<a href="http://feeds.feedburner.com/~a/foo?a=1"><img src="http://feeds.feedburner.com/~a/foo?i=1"></a><iframe src="https://www.googletagmanager.com/ns.html"></iframe>';
  assert.equal(trackingStep(html, {}), '<p>ab</p><img src="https://x.example/real.jpg" width="600" height="400">');
});

test('tracking: utm_* and friends leave links; other parameters and the fragment stay in place', () => {
  const html = '<a href="https://x.example/a?id=3&amp;utm_source=rss&amp;utm_medium=feed&amp;fbclid=Z#sec">a</a><a href="https://x.example/b?p=1">b</a>';
  assert.equal(trackingStep(html, {}), '<a href="https://x.example/a?id=3#sec">a</a><a href="https://x.example/b?p=1">b</a>');
  assert.equal(stripTracking('https://x.example/?utm_campaign=a&at_medium=b&at_campaign=c&spm=1&mc_cid=1&mc_eid=2&gclid=3'), 'https://x.example/');
  assert.equal(stripTracking('https://x.example/a?b=1&c=2'), 'https://x.example/a?b=1&c=2');
});

test('normalizeLink: the dedupe form drops tracking and fragment, lower-cases the host', () => {
  assert.equal(normalizeLink(' HTTPS://News.Example:443/a?utm_source=x&id=1#top '), 'https://news.example/a?id=1');
  assert.equal(normalizeLink('https://news.example/a?utm_source=x'), 'https://news.example/a');
  assert.equal(normalizeLink('not a link'), 'not a link');
  assert.equal(isTrackerUrl('https://www.google-analytics.com/collect'), true);
  assert.equal(isTrackerUrl('https://gdb.voanews.com/a.jpg'), false);
});

test('rules: WordPress "appeared first on", feedflare, share bars; a footer not at the end stays', () => {
  const wp = '<p>Body</p><p>The post <a href="https://1a23.com/x">X</a> appeared first on <a rel="nofollow" href="https://1a23.com">1A23 Studio</a>.</p>';
  assert.equal(rulesStep(wp, {}), '<p>Body</p>');
  const flare = '<p>Body</p><div class="feedflare"><a href="http://feeds.feedburner.com/~ff/x?a=1"><img src="http://feeds.feedburner.com/~ff/x?d=1"></a></div><img src="http://feeds.feedburner.com/~r/x/~4/1" height="1" width="1"/>';
  assert.equal(rulesStep(flare, {}), '<p>Body</p><img src="http://feeds.feedburner.com/~r/x/~4/1" height="1" width="1"/>');
  const share = '<p>Body</p><div class="sharedaddy sd-sharing-enabled"><a href="#">Share</a></div><p>More</p>';
  assert.equal(rulesStep(share, {}), '<p>Body</p><p>More</p>');
  const notTail = '<div>获取更多RSS：<a href="https://feedx.net">x</a></div><p>Body continues</p>';
  assert.equal(rulesStep(notTail, {}), notTail);
});

test('rules: a text rule takes the innermost match, never the wrapper, and never a long element', () => {
  const html = '<div><p>Article text.</p><p>The post <a href="/x">X</a> appeared first on <a href="/">Y</a>.</p></div>';
  assert.equal(rulesStep(html, {}), '<div><p>Article text.</p></div>');
  const long = `<p>The post ${'x'.repeat(700)} appeared first on Y.</p>`;
  assert.equal(rulesStep(long, {}), long);
});

test('rules: custom rules from config are validated with clear errors', () => {
  const rules = parseRules([{ name: 'promo', selector: 'p.promo' }, { name: 'ad', text: '^advertisement$', scope: 'tail' }]);
  assert.equal(rulesStep('<p>a</p><p class="promo">buy</p><p>b</p><span>Advertisement</span>', { rules }), '<p>a</p><p>b</p>');
  assert.throws(() => parseRules({}), /expected a list/);
  assert.throws(() => parseRules([{ name: 'x' }]), /needs a selector or a text pattern/);
  assert.throws(() => parseRules([{ name: 'x', selector: 'p[' }]), /content rule #1 \(x\): bad selector/);
  assert.throws(() => parseRules([{ name: 'x', text: '(' }]), /bad text pattern/);
  assert.throws(() => parseRules([{ name: 'x', text: 'a', scope: 'end' }]), /scope must be/);
  assert.throws(() => parseRules([{ name: 'x', text: 'a', colour: 1 }]), /unknown field "colour"/);
  assert.ok(BUILTIN_RULES.some((r) => r.name === 'feedx-footer'));
});

test('images: template placeholders', () => {
  const u = 'https://gdb.voanews.com/a b.jpg?x=1&y=2';
  const url = new URL(u).href;
  assert.equal(templateRewriter('https://images.weserv.nl?url={url_noscheme}').rewrite(url), 'https://images.weserv.nl?url=gdb.voanews.com/a%20b.jpg?x=1&y=2');
  assert.equal(templateRewriter('https://p.example/i?u={url_encoded}').rewrite(url), `https://p.example/i?u=${encodeURIComponent(url)}`);
  assert.equal(templateRewriter('https://p.example/{url}').rewrite(url), `https://p.example/${url}`);
  assert.equal(templateRewriter('https://p.example/{url_base64}').rewrite('https://a.example/?'), 'https://p.example/aHR0cHM6Ly9hLmV4YW1wbGUvPw');
  assert.equal(templateRewriter('https://p.example/{url}').rewrite('data:image/png;base64,AA=='), 'data:image/png;base64,AA==');
  assert.throws(() => templateRewriter('https://p.example/'), /needs one of/);
  assert.throws(() => templateRewriter('javascript:{url}'), /absolute http\(s\) URL/);
});

test('images: img src/srcset, picture source srcset and video poster are rewritten; links and video sources are not', () => {
  const t = { images: { mode: 'template' as const, template: 'https://img.proxy/?u={url_encoded}' } };
  const e = (s: string): string => `https://img.proxy/?u=${encodeURIComponent(s)}`;
  const html =
    '<a href="https://a.example/p.jpg">l</a><img src="https://a.example/1.jpg" srcset="https://a.example/1.jpg 1x, https://a.example/2.jpg 2x">' +
    '<picture><source srcset="https://a.example/3.webp"><img src="https://a.example/3.jpg"></picture><video poster="https://a.example/v.jpg"><source src="https://a.example/v.mp4"></video>';
  const out = imagesStep(html, t);
  assert.equal(
    out,
    `<a href="https://a.example/p.jpg">l</a><img src="${e('https://a.example/1.jpg')}" srcset="${e('https://a.example/1.jpg')} 1x, ${e('https://a.example/2.jpg')} 2x">` +
      `<picture><source srcset="${e('https://a.example/3.webp')}"><img src="${e('https://a.example/3.jpg')}"></picture><video poster="${e('https://a.example/v.jpg')}"><source src="https://a.example/v.mp4"></video>`.replace(/&/g, '&amp;'),
  );
  assert.equal(imagesStep(out, t), out, 'rewriting twice is a no-op');
  assert.equal(imagesStep(html, {}), html, 'no image mode: nothing changes');
  assert.deepEqual(imageUrls(html), ['https://a.example/1.jpg', 'https://a.example/2.jpg', 'https://a.example/3.webp', 'https://a.example/3.jpg', 'https://a.example/v.jpg']);
});

test('cleanHtml: bad options are clear errors; a failing step is reported and skipped', () => {
  assert.throws(() => cleanHtml('<p>x</p>', { steps: ['nope' as 'urls'] }), /unknown cleaning step "nope"/);
  assert.throws(() => cleanHtml('<p>x</p>', { images: { mode: 'template', template: 'x' } }), /image template/);
  assert.throws(() => cleanHtml(undefined as unknown as string), /must be a string/);
  const seen: string[] = [];
  const boom = { mode: 'custom' as const, rewriter: { rewrite: (): string => { throw new Error('boom'); } } };
  const out = cleanHtml('<img src="https://a.example/x.jpg" onerror="x()">', { images: boom, onError: (s) => seen.push(s) });
  assert.deepEqual(seen, ['images']);
  assert.equal(out, '<img src="https://a.example/x.jpg" />');
});

test('cleanHtml survives garbage input', () => {
  for (const junk of ['', '<', '<<<>>>', '<a href=', '<img src="x', '</p></div>', '<!--', '<![CDATA[', '\u0000\uffff', '<p>'.repeat(5000)]) {
    assert.equal(typeof cleanHtml(junk, { baseUrl: base }), 'string');
  }
});

test('pathological nesting is cleaned as plain text, fast (htmlparser2 is quadratic in depth)', () => {
  const deep = '<div><span>'.repeat(50_000) + 'x<script>alert(1)</script>&lt;b&gt;';
  const errors: string[] = [];
  const t0 = performance.now();
  const out = cleanHtml(deep, { onError: (_s, e) => errors.push((e as Error).message) });
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(out, 'xalert(1)&lt;b&gt;');
  assert.match(errors[0], /nested deeper than 1024 levels/);
  // Open-ended paragraphs and list items add no depth; real articles stay far below the limit.
  assert.equal(nestingDepth('<p>a<p>b<li>c<li>d<br><img src=x><div><b>e</b></div>'), 2);
  assert.equal(nestingDepth('<script>"<div><div><div>"</script><i>x</i>'), 1);
  assert.equal(cleanHtml('<p>ok'.repeat(5000), { steps: ['sanitize'] }).length > 5000, true);
});

test('wide input stays linear: 10 000 sibling footers-lookalikes, pixels and empty links', () => {
  const html = '<div>获取更多RSS</div><img src="https://x.example/p.gif" width="1" height="1"><a href="/x"></a><p>text</p>'.repeat(10_000);
  const t0 = performance.now();
  const out = cleanHtml(html, { baseUrl: base });
  // Quadratic rule matching took about 10 s here; linear takes a fraction of a second.
  assert.ok(performance.now() - t0 < 5000, `${Math.round(performance.now() - t0)} ms`);
  // Pixels and empty links go; no footer is at the end, so every div stays.
  assert.ok(out === '<div>获取更多RSS</div><p>text</p>'.repeat(10_000));
});

test('rules: the literal every match must contain, used to skip rules cheaply', () => {
  assert.equal(requiredLiteral(/^获取更多RSS/), '获取更多RSS');
  assert.equal(requiredLiteral(/^(?:The post )?.{1,400}? appeared first on .{1,200}$/s), ' appeared first on ');
  assert.equal(requiredLiteral(/^© .{1,300}\|\s*Permalink\s*\|/), 'Permalink');
  assert.equal(requiredLiteral(/Feed Enhanced/i), 'feed enhanced');
  assert.equal(requiredLiteral(/^ab?c/), 'a');
  assert.equal(requiredLiteral(/share|follow us/), '');
  // A case-insensitive custom rule still matches text in another case.
  const rules = parseRules([{ name: 'x', text: '^FOLLOW US on \\w+$', scope: 'tail' }]);
  assert.equal(rulesStep('<p>a</p><p>Follow us on Weibo</p>', { rules }), '<p>a</p>');
});

test('rules: a pattern without a required literal still works (alternation)', () => {
  const rules = parseRules([{ name: 'x', text: '^(?:share|follow) this$', scope: 'tail' }]);
  const seen: string[] = [];
  assert.equal(cleanHtml('<p>a</p><p>Share this</p>', { rules, steps: ['rules'], onError: (s) => seen.push(s) }), '<p>a</p>');
  assert.deepEqual(seen, []);
});

test('images: protocol-relative URLs go through the template too (no base needed)', () => {
  const t = { images: { mode: 'template' as const, template: 'https://images.weserv.nl?url={url_noscheme}' } };
  assert.equal(imagesStep('<img src="//evil.example/p.png" srcset="//evil.example/q.png 2x">', t), '<img src="https://images.weserv.nl?url=evil.example/p.png" srcset="https://images.weserv.nl?url=evil.example/q.png 2x">');
});
