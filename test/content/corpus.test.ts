// Real feed content from ../shared/corpus: the built-in rules find the real footers,
// and cleaning keeps the article.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseFeed } from '../../src/parse/index.ts';
import { cleanHtml, rulesStep } from '../../src/content/index.ts';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);
const WESERV = { mode: 'template' as const, template: 'https://images.weserv.nl?url={url_noscheme}' };
const text = (html: string): string => html.replace(/<[^>]*>/g, '').replace(/\s+/g, '');

function archiveItems(): { path: string; link: string; html: string }[] {
  const out = [];
  const root = new URL('markdown-archive/articles/', CORPUS);
  for (const site of readdirSync(root)) {
    for (const file of readdirSync(new URL(`${site}/`, root))) {
      const md = readFileSync(new URL(`${site}/${file}`, root), 'utf8');
      const [, link] = /^\[.*\]\((\S+)\)$/m.exec(md) ?? [];
      const html = md.split('\n------\n')[1]?.trim() ?? '';
      out.push({ path: `${site}/${file}`, link, html });
    }
  }
  return out;
}

test('markdown archive: every feedx footer goes, and nothing else of the text', () => {
  const items = archiveItems();
  assert.equal(items.length, 30);
  let footers = 0;
  for (const item of items) {
    const hasFooter = item.html.includes('获取更多RSS');
    const out = cleanHtml(item.html, { baseUrl: item.link, images: WESERV });
    assert.ok(!out.includes('获取更多RSS'), item.path);
    assert.ok(!out.includes('Feed enhanced by'), item.path);
    assert.ok(!/<script|\son[a-z]+=/i.test(out), item.path);
    if (hasFooter) {
      footers++;
      const footer = item.html.slice(item.html.lastIndexOf('<hr>'));
      assert.ok(text(rulesStep(item.html, {})) === text(item.html.slice(0, -footer.length)), item.path);
    } else {
      // Other boilerplate may go (CDT's Better Feed lines), never much of the article.
      const kept = text(rulesStep(item.html, {})).length / text(item.html).length;
      assert.ok(kept > 0.9, `${item.path}: kept ${kept}`);
    }
    assert.ok(cleanHtml(item.html, { steps: [] }) === item.html, item.path);
  }
  assert.equal(footers, 18);
});

function contents(file: string): string[] {
  const feed = parseFeed(readFileSync(new URL(`feeds/${file}`, CORPUS)), {});
  return feed.items.flatMap((it) => [...it.content, ...(it.summary ? [it.summary] : [])]).filter((t) => t.type !== 'text').map((t) => t.value);
}

test('real footers: WordPress "appeared first on", FeedBurner feedflare, GreatFire NYT mirror link', () => {
  const cases: [string, RegExp, number][] = [
    ['rssant__warn__https-1a23-com-feed.xml', /appeared first on/, 20],
    ['greatfire__programthink.xml', /class="feedflare"/, 5],
    ['greatfire__nyt.xml', />纽约时报中文网<\/a><\/p>$/, 22],
  ];
  for (const [file, footer, count] of cases) {
    const values = contents(file).filter((v) => footer.test(v));
    assert.equal(values.length, count, file);
    for (const v of values) {
      const out = rulesStep(v, {});
      assert.doesNotMatch(out, footer, file);
      assert.ok(text(out).length > 0.5 * text(v).length, `${file}: the article survives`);
    }
  }
});
