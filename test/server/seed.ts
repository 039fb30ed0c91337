// Shared by the server and browser tests: a temp data directory whose archive is
// filled through the real pipeline (feed XML → parser → mirror → files + rows).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { makeMirror } from '../../src/mirror/index.ts';
import { parseFeed } from '../../src/parse/index.ts';
import { indexItems } from '../../src/search/index.ts';
import { openStore, type Database } from '../../src/store/index.ts';

export const REFERENCE = readFileSync(new URL('../../../shared/examples/voachinese-7844678.md', import.meta.url), 'utf8');
export const REFERENCE_TITLE = '朝鲜外相将在莫斯科会晤俄罗斯外长，进行“战略磋商”';
export const REFERENCE_URL = 'https://www.voachinese.com/a/north-korean-and-russian-foreign-ministers-to-hold-moscow-talks-20241030/7844678.html';
export const HOSTILE_TITLE = '恶意内容测试 hostile';

const cdata = (s: string): string => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

interface FeedItem {
  title: string;
  link: string;
  date: number;
  html: string;
}

function rss(title: string, items: FeedItem[]): Uint8Array {
  const body = items.map((i) => `<item><title>${xml(i.title)}</title><link>${xml(i.link)}</link><guid>${xml(i.link)}</guid>
    <pubDate>${new Date(i.date).toUTCString()}</pubDate><description>${cdata(i.html)}</description></item>`).join('\n');
  return new TextEncoder().encode(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${xml(title)}</title><link>https://example.org/</link>${body}</channel></rss>`);
}

export interface Seeded {
  dir: string;
  config: Config;
  db: Database;
  /** Item ids by title. */
  ids: Map<string, number>;
  cleanup(): void;
}

/** A data dir with the reference item, a hostile item and `extra` filler items over two sites. */
export async function seed(opts: { extra?: number; allow?: string[]; index?: boolean } = {}): Promise<Seeded> {
  const dir = mkdtempSync(join(tmpdir(), 'fm-reader-'));
  const config = loadConfig({ dataDir: dir, env: {} });
  config.allow = opts.allow ?? ['127.0.0.1'];
  config.starter = false;
  const db = openStore(config.dbPath);
  // The index is filled below, or left empty to test the reader without one.
  const mirror = makeMirror(db, config, undefined, undefined, { search: false });
  const refHtml = REFERENCE.split('\n').slice(4).join('\n').trim();
  const voa: FeedItem[] = [{ title: REFERENCE_TITLE, link: REFERENCE_URL, date: 1730302743000, html: refHtml }];
  const other: FeedItem[] = [{
    title: HOSTILE_TITLE, link: 'https://example.org/hostile', date: 1730390000000,
    html: '<p>这篇文章试图运行脚本。</p><img src="x" onerror="window.__pwned = 1"><script>window.__pwned = 2</script><a href="javascript:window.__pwned=3">点我</a>',
  }];
  const n = opts.extra ?? 6;
  for (let i = 0; i < n; i++) {
    const target = i % 2 ? voa : other;
    target.push({
      title: `第${i + 1}条新闻：经济与社会 item ${i + 1}`, link: `https://example.org/news/${i + 1}`, date: 1730200000000 - i * 3_600_000,
      html: `<p>这是第${i + 1}条测试新闻的正文。经济、社会与文化的报道。</p><p>Paragraph ${i + 1} in English.</p>`,
    });
  }
  await mirror.ingest(parseFeed(rss('美国之音', voa)), [{ site: '美国之音' }]);
  await mirror.ingest(parseFeed(rss('Example News', other)), [{ site: 'Example News' }]);
  await mirror.idle();
  if (opts.index !== false) {
    // The search index, filled from the archive files as the mirror would.
    const rows = db.prepare('SELECT id, site, path, time FROM items').all() as { id: number; site: string; path: string; time: number }[];
    const docs = [];
    for (const r of rows) {
      const item = await mirror.archive.read(r.path);
      docs.push({ id: r.id, site: r.site, title: item.title, html: item.html, published: r.time });
    }
    indexItems(db, docs);
  }
  const ids = new Map((db.prepare('SELECT title, id FROM items').all() as { title: string; id: number }[]).map((r) => [r.title, r.id]));
  return {
    dir, config, db, ids,
    cleanup() {
      try {
        db.close();
      } catch {
        // already closed
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
