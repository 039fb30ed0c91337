// The last pipeline stage: every item the mirror writes or revises is searchable at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import { Mirror } from '../../src/mirror/index.ts';
import { search } from '../../src/search/index.ts';
import type { Item } from '../../src/parse/index.ts';

function item(guid: string, title: string, html: string): Item {
  return {
    guid, link: `https://n.example/${guid}`, title: { value: title, type: 'text' }, content: [{ value: html, type: 'html' }],
    published: Date.UTC(2025, 0, 1), links: [], authors: [], contributors: [], categories: [], enclosures: [], media: [], thumbnails: [], itunes: {}, ext: [],
  };
}

test('new and revised items are indexed as they are archived', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-mirror-search-'));
  const db = openStore(join(dir, 'feedmirror.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const mirror = new Mirror(db, join(dir, 'archive'), { search: true, now: () => Date.UTC(2025, 5, 1) });
  await mirror.ingest([item('a', '朝鲜外相将在莫斯科会晤俄罗斯外长', '<p>朝鲜外相崔善姬将抵达莫斯科。</p>')], [{ site: '美国之音' }]);
  const hits = search(db, '崔善姬').hits;
  assert.equal(hits.length, 1);
  assert.match(hits[0]!.title, /莫斯科/);
  assert.equal(search(db, '會晤').hits.length, 1, 'Traditional finds Simplified');
  // An edit after publication: the index follows the new text, not the old one.
  const r = await mirror.ingest([item('a', '朝鲜外相抵达莫斯科', '<p>朝鲜外相已经抵达莫斯科，与拉夫罗夫会谈。</p>')], [{ site: '美国之音' }]);
  assert.equal(r.updated, 1);
  assert.equal(search(db, '拉夫罗夫').hits.length, 1);
  assert.equal(search(db, '崔善姬').hits.length, 0);
});

test('without the option, ingest leaves the index alone (benchmarks time the stages apart)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-mirror-search-'));
  const db = openStore(join(dir, 'feedmirror.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const mirror = new Mirror(db, join(dir, 'archive'));
  await mirror.ingest([item('b', '标题', '<p>外相</p>')], [{ site: 's' }]);
  assert.equal(search(db, '外相').hits.length, 0);
});
