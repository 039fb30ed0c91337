import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Parser, type Node } from 'commonmark';
import { parseDocument } from 'htmlparser2';
import { textContent, findOne } from 'domutils';
import {
  ArchiveFormatError,
  escapeTitle,
  escapeUrl,
  htmlLine,
  pickTime,
  readItem,
  renderItem,
  unescapeUrl,
} from '../../src/archive/index.ts';
import { cleanTitle } from '../../src/archive/format.ts';

const SHARED = path.resolve(import.meta.dirname, '../../../shared');
const REFERENCE = path.join(SHARED, 'examples/voachinese-7844678.md');
const CORPUS = path.join(SHARED, 'corpus/markdown-archive/articles');

const corpusFiles = (): string[] =>
  readdirSync(CORPUS).flatMap((d) => readdirSync(path.join(CORPUS, d)).map((f) => path.join(CORPUS, d, f)));

/** The link of the item's first line as a CommonMark parser sees it. */
function markdownLink(text: string): { title: string; url: string } {
  const walker = new Parser().parse(text).walker();
  let ev;
  while ((ev = walker.next())) {
    if (ev.entering && ev.node.type === 'link') {
      let title = '';
      const inner = ev.node.walker();
      let e2;
      while ((e2 = inner.next())) if (e2.entering && (e2.node as Node).type === 'text') title += (e2.node as Node).literal;
      return { title, url: ev.node.destination ?? '' };
    }
  }
  throw new Error('no link in ' + JSON.stringify(text.slice(0, 80)));
}

test('reference item: read gives time, title, URL and HTML; render gives the same bytes', () => {
  const text = readFileSync(REFERENCE, 'utf8');
  const item = readItem(text);
  assert.equal(item.time, 1730302743000);
  assert.equal(item.title, '朝鲜外相将在莫斯科会晤俄罗斯外长，进行“战略磋商”');
  assert.equal(
    item.url,
    'https://www.voachinese.com/a/north-korean-and-russian-foreign-ministers-to-hold-moscow-talks-20241030/7844678.html',
  );
  assert.ok(item.html.startsWith('<div><i>Wed, 30 Oct 2024 15:17:01 GMT</i></div><img src="https://images.weserv.nl?url='));
  assert.ok(item.html.endsWith('https://feedx.run</a><br></div>'));
  assert.ok(!item.html.includes('\n'));
  assert.equal(renderItem(item), text);
});

test('every corpus item with a timestamp comment renders back to its exact bytes', () => {
  let checked = 0;
  for (const file of corpusFiles()) {
    const bytes = readFileSync(file);
    const text = bytes.toString('utf8');
    if (!text.startsWith('<!--')) continue;
    const item = readItem(text);
    assert.equal(typeof item.time, 'number', file);
    assert.ok(item.title.length > 0 && item.url.startsWith('http'), file);
    assert.ok(Buffer.from(renderItem(item), 'utf8').equals(bytes), file);
    // What a Markdown reader sees agrees with what we read.
    assert.equal(markdownLink(text).title, item.title, file);
    checked++;
  }
  assert.equal(checked, 29);
});

test('the corpus item with a CR inside an attribute keeps it', () => {
  const text = readFileSync(path.join(CORPUS, 'rfa/1048472.md'), 'utf8');
  const item = readItem(text);
  assert.equal(item.html.split('\r').length - 1, 3);
  assert.equal(renderItem(item), text);
});

test('old layout without the comment: read, time from the 日期 line, rendered in the current layout', () => {
  const text = readFileSync(path.join(CORPUS, 'cdt/400971.md'), 'utf8');
  const item = readItem(text);
  assert.equal(item.time, Date.parse('Thu, 18 Jun 2020 18:31:25 +0000'));
  assert.equal(item.title, '德国之声 | 长平观察: 从主旋律到正能量——思想谋杀的进化');
  assert.ok(item.url.startsWith('https://chinadigitaltimes.net/chinese/2020/06/%e5%be%b7'));
  assert.ok(item.html.startsWith('<p><strong>一起小学生跳楼事件'));
  const out = renderItem(item);
  assert.ok(out.startsWith(`<!--${item.time}-->\n[德国之声 | 长平观察`));
  assert.deepEqual(readItem(out), item);
});

test('old layout without comment or date line: time undefined, and rendered without the comment', () => {
  const text = '[标题](https://example.com/a)\n------\n\n<p>x</p>\n';
  const item = readItem(text);
  assert.equal(item.time, undefined);
  assert.deepEqual(item, { title: '标题', url: 'https://example.com/a', html: '<p>x</p>' });
  assert.equal(renderItem(item), text);
});

test('the file layout is exactly comment, link, rule, empty line, HTML, final newline', () => {
  const out = renderItem({ time: 5, title: 'T', url: 'https://e.x/', html: '<p>h</p>' });
  assert.equal(out, '<!--5-->\n[T](https://e.x/)\n------\n\n<p>h</p>\n');
  assert.equal(renderItem({ time: 0, title: '', url: '', html: '' }), '<!--0-->\n[]()\n------\n\n\n');
  assert.deepEqual(readItem('<!--0-->\n[]()\n------\n\n\n'), { time: 0, title: '', url: '', html: '' });
});

test('titles: brackets, backslashes and newlines', () => {
  const cases: [string, string, string][] = [
    // input, link text, title read back
    ['a [b] c', 'a [b] c', 'a [b] c'],
    ['a ]b[ c', 'a \\]b\\[ c', 'a ]b[ c'],
    ['[视频](x) 标题', '\\[视频\\](x) 标题', '[视频](x) 标题'],
    ['[[a]]', '[[a]]', '[[a]]'],
    ['x]', 'x\\]', 'x]'],
    ['line1\nline2', 'line1 line2', 'line1 line2'],
    ['a \r\n\r\n b', 'a b', 'a b'],
    ['a\rb', 'a b', 'a b'],
    ['  两个  空格  ', '两个  空格', '两个  空格'],
    ['C:\\path\\', 'C:\\path\\\\', 'C:\\path\\'],
    ['a\\*b', 'a\\*b', 'a\\*b'], // as older files wrote it; a Markdown viewer shows a*b
    ['a\\"b\\\\', 'a\\"b\\\\\\\\', 'a\\"b\\\\'],
    ['中国品牌\\“囚爱\\“', '中国品牌\\“囚爱\\“', '中国品牌\\“囚爱\\“'],
    ['\\[', '\\\\\\[', '\\['],
    ['tab\there', 'tab\there', 'tab\there'],
    ['ctl\x00\x07\x1b\x7f\x85x', 'ctlx', 'ctlx'],
  ];
  for (const [input, text, back] of cases) {
    assert.equal(escapeTitle(input), text, JSON.stringify(input));
    const file = renderItem({ time: 1, title: input, url: 'https://e.x/', html: '' });
    assert.equal(file.split('\n')[1], `[${text}](https://e.x/)`, JSON.stringify(input));
    assert.equal(readItem(file).title, back, JSON.stringify(input));
    assert.equal(renderItem(readItem(file)), file, JSON.stringify(input));
    if (!/\\[!-\/:-@^-`{-~]/.test(back)) assert.equal(markdownLink(file).title, back, JSON.stringify(input));
  }
});

test('URLs: spaces and controls percent-encoded, unbalanced parentheses escaped, balanced ones kept', () => {
  const cases: [string, string, string][] = [
    // input, destination, URL read back
    ['https://en.wikipedia.org/wiki/Foo_(bar)', 'https://en.wikipedia.org/wiki/Foo_(bar)', 'https://en.wikipedia.org/wiki/Foo_(bar)'],
    ['https://x.org/a)b', 'https://x.org/a\\)b', 'https://x.org/a)b'],
    ['https://x.org/(a', 'https://x.org/\\(a', 'https://x.org/(a'],
    ['https://x.org/)(', 'https://x.org/\\)\\(', 'https://x.org/)('],
    ['https://x.org/a b?q=c d', 'https://x.org/a%20b?q=c%20d', 'https://x.org/a%20b?q=c%20d'],
    [' https://x.org/\n', 'https://x.org/', 'https://x.org/'],
    ['https://x.org/a\nb\tc', 'https://x.org/abc', 'https://x.org/abc'],
    ['https://x.org/\x01\x7f', 'https://x.org/%01%7F', 'https://x.org/%01%7F'],
    ['https://x.org/<a>', 'https://x.org/%3Ca%3E', 'https://x.org/%3Ca%3E'],
    ['https://x.org/a\\b', 'https://x.org/a\\b', 'https://x.org/a\\b'],
    ['https://x.org/a\\(b)', 'https://x.org/a\\\\(b)', 'https://x.org/a\\(b)'],
    ['https://x.org/end\\', 'https://x.org/end\\\\', 'https://x.org/end\\'],
  ];
  for (const [input, dest, back] of cases) {
    assert.equal(escapeUrl(input), dest, JSON.stringify(input));
    const file = renderItem({ time: 1, title: 't', url: input, html: '' });
    assert.equal(readItem(file).url, back, JSON.stringify(input));
    assert.equal(renderItem(readItem(file)), file, JSON.stringify(input));
    // A Markdown reader finds the same link (it percent-encodes what it must, e.g. the backslash).
    assert.equal(decodeURI(markdownLink(file).url), decodeURI(back.replace(/\\/g, '%5C')), JSON.stringify(input));
  }
});

test('HTML: line breaks collapse as whitespace, none at the ends', () => {
  assert.equal(htmlLine('<p>a\nb</p>'), '<p>a b</p>');
  assert.equal(htmlLine('<p>a  \r\n \n\t b</p>'), '<p>a b</p>');
  assert.equal(htmlLine('\n  <p>x</p>\n\n'), '<p>x</p>');
  assert.equal(htmlLine('</p>\n<p>'), '</p> <p>');
  assert.equal(htmlLine('<img\nsrc="a.jpg"\nalt="x">'), '<img src="a.jpg" alt="x">');
  assert.equal(htmlLine('<!-- a\nb -->x'), '<!-- a b -->x');
  assert.equal(htmlLine('no breaks'), 'no breaks');
});

test('HTML: <pre> keeps its line breaks as &#10;', () => {
  const html = '<p>a\nb</p><pre class="c">line 1\n  line 2\r\nline 3</pre>\n<p>c\nd</p>';
  const line = htmlLine(html);
  assert.equal(line, '<p>a b</p><pre class="c">line 1&#10;  line 2&#10;line 3</pre> <p>c d</p>');
  // An HTML parser reads the same preformatted text back.
  const pre = (h: string): string => textContent(findOne((e) => e.name === 'pre', parseDocument(h).children)!);
  assert.equal(pre(line), 'line 1\n  line 2\nline 3');
  assert.equal(pre(html), 'line 1\n  line 2\r\nline 3');
  // Nested markup and upper-case tags inside pre; a tag broken over lines stays a tag.
  assert.equal(htmlLine('<PRE>a\n<b\nclass="x">b\nc</b>\n</PRE>x\ny'), '<PRE>a&#10;<b class="x">b&#10;c</b>&#10;</PRE>x y');
  assert.equal(htmlLine('<textarea>a\nb</textarea>\n<listing>c\nd</listing>'), '<textarea>a&#10;b</textarea> <listing>c&#10;d</listing>');
  // "<pre>" inside a script is not a pre element.
  assert.equal(htmlLine('<script>x="<pre>"\ny()</script>\nz'), '<script>x="<pre>" y()</script> z');
  assert.equal(htmlLine('<pre>unclosed\nstill pre'), '<pre>unclosed&#10;still pre');
});

test('HTML: control characters removed, form feed is a space, a lone CR stays', () => {
  assert.equal(htmlLine('a\x00b\x08c\x0bd\x1be\x7ff\x85g\x9fh'), 'abcdefgh');
  assert.equal(htmlLine('a\fb'), 'a b');
  assert.equal(htmlLine('title="x\r"'), 'title="x\r"');
  assert.equal(htmlLine('a\uD800b'), 'a\uFFFDb');
  assert.equal(htmlLine('😀'), '😀');
});

test('render(read(render(x))) is stable and read(render(x)) gives the cleaned input (seeded random strings)', () => {
  let seed = 42;
  // mulberry32
  const rand = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
  const alphabet = ['a', ' ', '[', ']', '(', ')', '\\', '*', '\n', '\r', '\t', '<', '>', 'pre', '中', '"', '!', '\x01', '%', '`'];
  const gen = (): string => Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join('');
  let markdownChecked = 0;
  for (let k = 0; k < 2000; k++) {
    const item = { time: rand(1e9), title: gen(), url: 'https://x.org/' + gen(), html: gen() };
    const file = renderItem(item);
    const back = readItem(file);
    assert.equal(renderItem(back), file, JSON.stringify(item));
    assert.equal(file.split('\n').length, 6, JSON.stringify(item));
    assert.equal(back.title, cleanTitle(item.title), JSON.stringify(item));
    assert.equal(back.url, unescapeUrl(escapeUrl(item.url)), JSON.stringify(item));
    assert.equal(back.html, htmlLine(item.html), JSON.stringify(item));
    // Inline Markdown (code spans, emphasis, raw HTML, backslash before other punctuation)
    // is left as written in titles, as the older files did.
    if (!/[`*<]|\\[!-\/:-@^-`{-~]/.test(back.title)) {
      assert.equal(markdownLink(file).title, back.title, JSON.stringify(item));
      markdownChecked++;
    }
  }
  assert.ok(markdownChecked > 500, `${markdownChecked} titles checked against the Markdown parser`);
});

test('bad input gives a clear ArchiveFormatError', () => {
  const bad: [string, RegExp][] = [
    ['', /link line/],
    ['hello\n', /link line/],
    ['<!--x-->\n[a](b)\n------\n\n\n', /timestamp comment/],
    ['<!--1-->\n[a](b)\n\n\n', /rule/],
    ['<!--1-->\n[a](b)\n------', /empty line/],
    ['<!--1-->\n[a](b\n------\n\n\n', /link line/],
  ];
  for (const [text, msg] of bad) assert.throws(() => readItem(text), (e: unknown) => e instanceof ArchiveFormatError && msg.test((e as Error).message), JSON.stringify(text));
  assert.throws(() => renderItem({ time: 1.5, title: '', url: '', html: '' }), ArchiveFormatError);
  assert.throws(() => renderItem({ time: NaN, title: '', url: '', html: '' }), ArchiveFormatError);
  assert.throws(() => renderItem({ time: 1, title: undefined as unknown as string, url: '', html: '' }), ArchiveFormatError);
});

test('CRLF files and a BOM are read', () => {
  const item = readItem('\uFEFF<!--7-->\r\n[t](https://e.x/)\r\n------\r\n\r\n<p>x</p>\r\n');
  assert.deepEqual(item, { time: 7, title: 't', url: 'https://e.x/', html: '<p>x</p>' });
});

test('pickTime: publication time, else update time, else first seen; never after the capture time', () => {
  const seen = Date.UTC(2024, 9, 30, 16);
  assert.equal(pickTime({ published: Date.UTC(2024, 9, 30, 15) }, seen), Date.UTC(2024, 9, 30, 15));
  assert.equal(pickTime({ updated: Date.UTC(2024, 9, 29) }, seen), Date.UTC(2024, 9, 29));
  assert.equal(pickTime({}, seen), seen);
  assert.equal(pickTime({ published: NaN }, seen), seen);
  assert.equal(pickTime({ published: seen + 86_400_000 }, seen), seen);
  assert.equal(pickTime({ published: seen + 10 }, seen - 1000, seen), seen);
  assert.equal(pickTime({}, seen - 1000, seen), seen - 1000);
  assert.equal(pickTime({ published: 1.7 }, seen), 1);
  assert.throws(() => pickTime({}, NaN), ArchiveFormatError);
});
