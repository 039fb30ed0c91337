import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitize, embedUrl, safeUrl, filterStyle } from '../../src/content/index.ts';

test('keeps what news articles need', () => {
  const html =
    '<figure><picture><source srcset="https://a.example/1.webp" type="image/webp"><img src="https://a.example/1.jpg" alt="" width="100%"></picture><figcaption>c</figcaption></figure>' +
    '<h2>h</h2><p><em>e</em><strong>s</strong><sub>1</sub><sup>2</sup><mark>m</mark><small>s</small></p><ruby>漢<rp>(</rp><rt>hàn</rt><rp>)</rp></ruby>' +
    '<table><thead><tr><th colspan="2">t</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table><ol start="3"><li>x</li></ol><pre><code>c</code></pre><blockquote cite="https://a.example/">q</blockquote>';
  assert.equal(
    sanitize(html),
    '<figure><picture><source srcset="https://a.example/1.webp" type="image/webp" /><img src="https://a.example/1.jpg" alt="" width="100%" /></picture><figcaption>c</figcaption></figure>'
+
      '<h2>h</h2><p><em>e</em><strong>s</strong><sub>1</sub><sup>2</sup><mark>m</mark><small>s</small></p><ruby>漢<rp>(</rp><rt>hàn</rt><rp>)</rp></ruby>' +
      '<table><thead><tr><th colspan="2">t</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table><ol start="3"><li>x</li></ol><pre><code>c</code></pre><blockquote cite="https://a.example/">q</blockquote>',
  );
});

test('links: only http(s) and mailto, rel noopener noreferrer, target only _blank', () => {
  assert.equal(sanitize('<a href="https://a.example/" target="_top" rel="nofollow author">x</a>'), '<a href="https://a.example/" rel="noopener noreferrer nofollow author">x</a>');
  assert.equal(sanitize('<a href="mailto:a@b.example" target="_blank">m</a>'), '<a href="mailto:a@b.example" target="_blank" rel="noopener noreferrer">m</a>');
  assert.equal(sanitize('<a href="ftp://a.example/">f</a><a href="tel:1">t</a><a href="data:text/html,x">d</a>'), '<a>f</a><a>t</a><a>d</a>');
});

test('images: raster data: URLs survive, svg/html data: and javascript: do not', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  assert.equal(sanitize(`<img src="${png}" alt="p">`), `<img src="${png}" alt="p" />`);
  assert.equal(sanitize('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="s">'), '');
  assert.equal(sanitize('<img src="javascript:alert(1)">'), '');
  assert.equal(sanitize('<img srcset="https://a.example/1.jpg 1x, javascript:x 2x" src="https://a.example/1.jpg">'), '<img srcset="https://a.example/1.jpg 1x" src="https://a.example/1.jpg" />');
  assert.equal(safeUrl('jav\tascript:x', 'link'), false);
  assert.equal(safeUrl('data:image/webp;base64,AAAA', 'image'), true);
  assert.equal(safeUrl('data:image/webp;base64,AAAA', 'link'), false);
});

test('style: safe declarations kept verbatim, dangerous ones dropped', () => {
  assert.equal(filterStyle('color: #999;'), 'color: #999;');
  assert.equal(filterStyle('color: rgb(1, 2, 3); position: fixed; background: url(x)'), 'color: rgb(1, 2, 3)');
  assert.equal(filterStyle('width: expression(alert(1))'), '');
  assert.equal(filterStyle('color: \\72 ed'), '');
  assert.equal(filterStyle('color: red /* x */'), '');
  assert.equal(sanitize('<p style="position:absolute;top:0">x</p><small style="color: #999;">c</small>'), '<p>x</p><small style="color: #999;">c</small>');
});

test('embeds: YouTube to youtube-nocookie, Vimeo with dnt=1, Bilibili player; anything else removed', () => {
  assert.equal(embedUrl('https://www.youtube.com/embed/dQw4w9WgXcQ?start=30&autoplay=1'), 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30');
  assert.equal(embedUrl('https://youtu.be/dQw4w9WgXcQ'), 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
  assert.equal(embedUrl('https://player.vimeo.com/video/76979871?autoplay=1'), 'https://player.vimeo.com/video/76979871?dnt=1');
  assert.equal(embedUrl('//player.bilibili.com/player.html?aid=1&bvid=BV1xx411c7mD&cid=2&page=1'), 'https://player.bilibili.com/player.html?aid=1&bvid=BV1xx411c7mD&cid=2&page=1&autoplay=0');
  assert.equal(embedUrl('https://evil.example/embed/dQw4w9WgXcQ'), undefined);
  assert.equal(embedUrl('https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ'), undefined);
  assert.equal(embedUrl('javascript:alert(1)'), undefined);
  assert.equal(
    sanitize('<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" width="560" height="315" onload="x()" allow="camera"></iframe>'),
    '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" loading="lazy" allowfullscreen="" width="560" height="315" sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"></iframe>',
  );
  assert.equal(sanitize('<p>a</p><iframe src="https://evil.example/">fallback</iframe><p>b</p>'), '<p>a</p><p>b</p>');
});

test('media never preloads from the origin', () => {
  assert.equal(sanitize('<video src="https://a.example/v.mp4" controls autoplay></video>'), '<video src="https://a.example/v.mp4" controls="" preload="none"></video>');
  assert.equal(sanitize('<audio src="https://a.example/a.mp3" preload="auto"></audio>'), '<audio src="https://a.example/a.mp3" preload="none"></audio>');
});

test('dangerous elements go with their content; harmless unknown wrappers keep their text', () => {
  assert.equal(sanitize('<p>a<script>x()</script><style>p{}</style><object data="x"></object>b</p><form action="/x"><input name=q><button>go</button></form>'), '<p>ab</p>go');
  assert.equal(sanitize('<font color="red">t</font><center>c</center><blink>b</blink>'), 'tcb');
  assert.equal(sanitize('<base href="https://evil.example/"><meta http-equiv="refresh" content="0"><link rel="stylesheet" href="x">ok'), 'ok');
  assert.equal(sanitize('<p id="x" class="y" name="z">t</p>'), '<p>t</p>');
});

test('the sanitizer alone also turns pathological nesting into plain text', () => {
  const t0 = performance.now();
  assert.equal(sanitize('<i>'.repeat(60_000) + 'a<img src=x onerror=alert(1)>b'), 'ab');
  assert.ok(performance.now() - t0 < 2000);
});
