// Archive image mode in the mirror: images of new and revised items downloaded from a
// real origin on 127.0.0.1 into assets/, item files referring to them as ../../assets/….
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fetcher } from '../../src/fetch/index.ts';
import { openStore, type Database } from '../../src/store/index.ts';
import { FullText, Mirror } from '../../src/mirror/index.ts';
import type { Item } from '../../src/parse/index.ts';
import { serve, tree, type Served } from './helpers.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]), Buffer.alloc(300, 7), Buffer.from([0xff, 0xd9])]);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const para = '<p>俄罗斯外交部周三宣布，朝鲜外相将在莫斯科与俄罗斯外交部长举行战略磋商，双方将讨论地区安全局势和双边合作的具体安排，会谈时间稍后公布。</p>';

let srv: Served;
let fetcher: Fetcher;

before(async () => {
  srv = await serve((req, res) => {
    if (req.url === '/img/lead.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(JPEG);
    if (req.url === '/img/chart.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (req.url === '/a/1.html') {
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<html><head><title>文章</title>
<meta property="og:image" content="/img/lead.jpg"></head><body><h1>文章</h1><div class="article"><figure><img src="/img/lead.jpg"><figcaption>图说</figcaption></figure>${para}${para}${para}</div></body></html>`);
    }
    res.writeHead(404).end();
  });
  fetcher = new Fetcher({ allow: ['127.0.0.1'], proxy: '', perHostIntervalMs: 0 });
});

after(async () => {
  await fetcher.close();
  await srv.close();
});

function item(guid: string, html: string, title = '图片新闻', link = `${srv.url}/a/${guid}.html`): Item {
  return {
    links: [], content: [{ value: html, type: 'html' }], title: { value: title, type: 'text' }, link, guid,
    authors: [], contributors: [], categories: [], enclosures: [], media: [], thumbnails: [], itunes: {}, ext: [],
    published: Date.UTC(2025, 0, 2),
  };
}

function setup(t: TestContext, fulltext = false): { db: Database; mirror: Mirror; root: string; warnings: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'fm-images-'));
  const db = openStore(join(dir, 'feedmirror.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const root = join(dir, 'archive');
  const warnings: string[] = [];
  const log = { info: () => {}, warn: (_o: object, m: string) => void warnings.push(m) };
  const mirror = new Mirror(db, root, {
    now: () => Date.UTC(2025, 5, 1), log, archiveImages: { fetcher },
    fulltext: fulltext ? new FullText({ fetcher }) : undefined,
  });
  return { db, mirror, root, warnings };
}

const fileOf = (db: Database, root: string, id = 1): string =>
  readFileSync(join(root, db.prepare('SELECT path FROM items WHERE id = ?').pluck().get(id) as string), 'utf8');

test('new items: images saved under assets/, referenced as ../../assets/…, a failing one keeps its URL and is logged', async (t) => {
  const { db, mirror, root, warnings } = setup(t);
  const html = `<p>图一</p><img src="${srv.url}/img/lead.jpg"><p>图二</p><img src="/img/chart.png"><img src="${srv.url}/img/gone.jpg">`;
  const r = await mirror.ingest([item('1', html)], [{ site: '图片' }]);
  assert.deepEqual([r.added, r.failed], [1, 0]);
  const jpg = `assets/${sha(JPEG).slice(0, 2)}/${sha(JPEG)}.jpg`;
  const png = `assets/${sha(PNG).slice(0, 2)}/${sha(PNG)}.png`;
  const file = fileOf(db, root);
  assert.ok(file.includes(`<img src="../../${jpg}" />`), file);
  assert.ok(file.includes(`<img src="../../${png}" />`), file);
  assert.ok(file.includes(`<img src="${srv.url}/img/gone.jpg" />`), file);
  assert.deepEqual(readFileSync(join(root, jpg)), JPEG);
  assert.deepEqual(readFileSync(join(root, png)), PNG);
  assert.ok(warnings.some((w) => /image not archived/.test(w)), warnings.join('\n'));

  // The dedupe sees the feed's content, not where its images went: a repeat is unchanged,
  // the same content under another guid and link is a duplicate, nothing is downloaded again.
  const hits = srv.hits.length;
  const again = await mirror.ingest([item('1', html), item('copy', html, '图片新闻', `${srv.url}/b/copy.html`)], [{ site: '图片' }]);
  assert.deepEqual([again.added, again.unchanged, again.duplicates], [0, 1, 1]);
  assert.equal(srv.hits.length, hits);

  // A revision is localized too; a known image is not fetched again.
  const revised = await mirror.ingest([item('1', html.replace('图二', '图二（更新）'))], [{ site: '图片' }]);
  assert.equal(revised.updated, 1);
  const file2 = fileOf(db, root);
  assert.ok(file2.includes('图二（更新）') && file2.includes(`../../${jpg}`) && file2.includes(`../../${png}`), file2);
  assert.deepEqual(srv.hits.slice(hits), ['/img/gone.jpg']);
  assert.deepEqual(tree(root).filter((f) => f.startsWith('assets/')), [jpg, png].sort());
});

test('full text with archive images: the template lead image points at the local copy', async (t) => {
  const { db, mirror, root } = setup(t, true);
  await mirror.ingest([item('1', '<p>摘要……</p>', '文章')], [{ site: '全文', fulltext: 'auto' }]);
  const jpg = `assets/${sha(JPEG).slice(0, 2)}/${sha(JPEG)}.jpg`;
  const file = fileOf(db, root);
  assert.ok(file.includes(`<img src="../../${jpg}" width="100%" /><div><small style="color: #999;">图说</small></div>`), file);
  assert.ok(existsSync(join(root, jpg)));
});
