import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { itemLink, monthDay, renderList, type ListEntry } from '../../src/archive/index.ts';

const VOA = path.resolve(import.meta.dirname, '../../../shared/corpus/markdown-archive/lists/voa.md');

/** The entries of the corpus list as far as they can be reconstructed: the day (noon in China), title, file. */
function voaEntries(text: string): ListEntry[] {
  const entries: ListEntry[] = [];
  for (const m of text.matchAll(/^(\d+)-(\d+) \[(.*)\]\(\/articles\/美国之音\/(.*)\)$/gm)) {
    entries.push({ time: Date.UTC(2020, Number(m[1]) - 1, Number(m[2]), 4), title: m[3], file: decodeURIComponent(m[4]) });
  }
  return entries;
}

test('lists/voa.md of the corpus is reproduced byte for byte from its entries', () => {
  const bytes = readFileSync(VOA);
  const entries = voaEntries(bytes.toString('utf8'));
  assert.equal(entries.length, 100);
  const out = renderList('美国之音', entries);
  assert.ok(Buffer.from(out, 'utf8').equals(bytes));
  // The details that make it so.
  assert.ok(out.startsWith('美国之音\n------\n\n7-18 ['));
  assert.ok(out.endsWith('.md)\n\n\n[查看更多](/articles/美国之音)'));
  assert.ok(out.includes('(/articles/美国之音/1047784_白宫考虑取缔抖音海外版，%20抖音可能“抖”不下去了.md)\n\n7-18 ['));
});

test('dates are M-D in the configured time zone (default Asia/Shanghai)', () => {
  const t = Date.UTC(2020, 6, 17, 20); // 18 July 04:00 in Shanghai
  assert.equal(monthDay(t), '7-18');
  assert.equal(monthDay(t, 'UTC'), '7-17');
  assert.equal(monthDay(Date.UTC(2020, 11, 31, 23), 'Asia/Shanghai'), '1-1');
  assert.equal(monthDay(Date.UTC(2021, 0, 1, 2), 'America/New_York'), '12-31');
  const list = renderList('S', [{ time: t, title: 'x', file: '1_x.md' }], { timeZone: 'UTC' });
  assert.ok(list.includes('\n7-17 [x]('));
  assert.throws(() => renderList('S', [{ time: t, title: 'x', file: '1_x.md' }], { timeZone: 'Mars/Olympus' }), /unknown time zone/);
});

test('newest 300 entries, one per paragraph; options for the closing link', () => {
  const entries: ListEntry[] = Array.from({ length: 305 }, (_, i) => ({ time: Date.UTC(2024, 0, 1), title: `t${i}`, file: `${1048575 - i}_t${i}.md` }));
  const out = renderList('voa', entries);
  const lines = out.split('\n').filter((l) => l.startsWith('1-1 '));
  assert.equal(lines.length, 300);
  assert.equal(lines[0], '1-1 [t0](/articles/voa/1048575_t0.md)');
  assert.equal(lines[299], '1-1 [t299](/articles/voa/1048276_t299.md)');
  assert.equal(renderList('voa', entries, { limit: 2, more: null }), 'voa\n------\n\n1-1 [t0](/articles/voa/1048575_t0.md)\n\n1-1 [t1](/articles/voa/1048574_t1.md)\n');
  assert.equal(renderList('voa', [], { more: 'More' }), 'voa\n------\n\n\n\n[More](/articles/voa)');
  // No time: no date, as in the older lists.
  assert.equal(renderList('voa', [{ title: 'x', file: '1_x.md' }], { more: null }), 'voa\n------\n\n[x](/articles/voa/1_x.md)\n');
});

test('links are percent-encoded where Markdown or the URL needs it; titles are escaped', () => {
  assert.equal(itemLink('美国之音', '1_a b.md'), '/articles/美国之音/1_a%20b.md');
  assert.equal(itemLink('RTI 中央廣播電臺', "1_50%#(x)[y]'?.md"), '/articles/RTI%20中央廣播電臺/1_50%25%23%28x%29%5By%5D%27%3F.md');
  const out = renderList('s', [{ time: 0, title: 'a ]b[ (c)', file: '1_a ]b[ (c).md' }], { more: null, timeZone: 'UTC' });
  assert.equal(out, 's\n------\n\n1-1 [a \\]b\\[ (c)](/articles/s/1_a%20%5Db%5B%20%28c%29.md)\n');
  // The heading is one line.
  assert.ok(renderList('a\nb', [], { more: null }).startsWith('a b\n------\n'));
  assert.equal(renderList('voa', [], { heading: '美国之音', more: null }), '美国之音\n------\n\n');
});
