// Every feed of the shared corpus parses without throwing, in bounded time, to a model that
// toJsonFeed can publish; item counts match the corpus manifest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeed } from '../../src/parse/index.ts';
import { toJsonFeed } from '../../src/publish/index.ts';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus');

interface Entry { path: string; items: number | null; well_formed: boolean; format: string }
const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as { files: Entry[] };
const feeds = manifest.files.filter((f) => f.path.startsWith('feeds/'));

// Where the manifest's count (start tags of <item>/<entry>) is not the right answer.
const EXPECTED: Record<string, number> = {
  // Each <item> holds an empty, illegally nested <item/>: 20 start tags, 10 articles.
  'feeds/node-feedparser__illegally-nested.xml': 10,
};
test('the corpus is all there', () => {
  assert.equal(feeds.length, 185);
});

test('every corpus feed parses without throwing; item counts match; no mojibake titles', (t) => {
  let slowest = { ms: 0, path: '' };
  let items = 0;
  const mismatches: string[] = [];
  const mojibake: string[] = [];
  for (const f of feeds) {
    const bytes = readFileSync(join(CORPUS, f.path));
    const t0 = performance.now();
    const feed = parseFeed(bytes);
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { ms, path: f.path };
    assert.ok(ms < 5000, `${f.path} took ${ms} ms`);
    assert.ok(Array.isArray(feed.items), f.path);
    assert.equal(typeof feed.encoding, 'string', f.path);
    if (feed.bozo) assert.ok(feed.bozoReason, `${f.path}: bozo without a reason`);
    const json = JSON.parse(JSON.stringify(toJsonFeed(feed))) as { items: unknown[] };
    assert.equal(json.items.length, feed.items.length, f.path);
    items += feed.items.length;
    // Every corpus feed decodes cleanly when its encoding is found: no replacement characters.
    const broken = feed.items.find((it) => it.title?.value.includes('\uFFFD'));
    if (broken) mojibake.push(`${f.path}: ${broken.title!.value.slice(0, 60)}`);
    if (f.items === null) continue;
    const want = EXPECTED[f.path] ?? f.items;
    if (feed.items.length !== want) mismatches.push(`${f.path}: ${feed.items.length} items, expected ${want}`);
  }
  t.diagnostic(`${feeds.length} feeds, ${items} items; slowest ${slowest.path} ${slowest.ms.toFixed(0)} ms`);
  assert.deepEqual(mismatches, []);
  assert.deepEqual(mojibake, []);
});
