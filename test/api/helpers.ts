// A data directory filled through the real pipeline (feed XML → parser → mirror
// → archive files + rows), two subscriptions, and the sync APIs on a real
// Fastify server on 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerSyncApis, type Credentials } from '../../src/api/index.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { archiveRoot, makeMirror } from '../../src/mirror/index.ts';
import { parseFeed } from '../../src/parse/index.ts';
import { openStore, type Database } from '../../src/store/index.ts';
import { addSubscription } from '../../src/subscribe/index.ts';

const cdata = (s: string): string => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export interface FeedItem {
  title: string;
  link: string;
  date: number;
  html: string;
}

export function rss(title: string, items: FeedItem[]): Uint8Array {
  const body = items.map((i) => `<item><title>${xml(i.title)}</title><link>${xml(i.link)}</link><guid>${xml(i.link)}</guid>
    <pubDate>${new Date(i.date).toUTCString()}</pubDate><description>${cdata(i.html)}</description></item>`).join('\n');
  return new TextEncoder().encode(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${xml(title)}</title><link>https://example.org/</link>${body}</channel></rss>`);
}

export interface Env {
  dir: string;
  config: Config;
  db: Database;
  base: string;
  app: FastifyInstance;
  credentials: Credentials;
  username: string;
  password: string;
  /** Subscription ids. */
  voa: number;
  bbc: number;
  /** Item ids by title. */
  ids: Map<string, number>;
  close(): Promise<void>;
}

export const HOSTILE = '<p>正文</p><img src="https://img.example.org/a.jpg" onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">x</a>';

/** voa (category 新闻): 6 items; bbc (no category): 4 items, the first hostile. */
export async function setup(): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'fm-api-'));
  const config = loadConfig({ dataDir: dir, env: {} });
  config.starter = false;
  const db = openStore(config.dbPath);
  const voa = addSubscription(db, 'https://www.voachinese.com/api/feed.xml', { site: '美国之音', category: '新闻' });
  const bbc = addSubscription(db, 'https://feeds.bbci.co.uk/zhongwen/simp/rss.xml', { site: 'BBC 中文' });
  const mirror = makeMirror(db, config);
  const t0 = Date.UTC(2024, 9, 1);
  const voaItems: FeedItem[] = Array.from({ length: 6 }, (_, i) => ({
    title: `美国之音 第${i + 1}条`, link: `https://www.voachinese.com/a/${i + 1}.html`, date: t0 + i * 3_600_000,
    html: `<p>美国之音 第${i + 1}条新闻正文。</p><p><img src="https://gdb.voanews.com/${i + 1}.jpg" alt="图"></p>`,
  }));
  const bbcItems: FeedItem[] = Array.from({ length: 4 }, (_, i) => ({
    title: `BBC 第${i + 1}条`, link: `https://www.bbc.com/zhongwen/simp/${i + 1}`, date: t0 + i * 3_600_000 + 1000,
    html: i === 0 ? HOSTILE : `<p>BBC 第${i + 1}条。</p>`,
  }));
  await mirror.ingest(parseFeed(rss('美国之音', voaItems)), [{ site: '美国之音', feedId: voa.feedId }]);
  await mirror.ingest(parseFeed(rss('BBC 中文', bbcItems)), [{ site: 'BBC 中文', feedId: bbc.feedId }]);
  await mirror.idle();
  db.prepare("UPDATE feeds SET title = 'VOA 中文' WHERE id = ?").run(voa.feedId);
  const app = Fastify({ logger: false });
  const { credentials } = await registerSyncApis(app, {
    db, root: archiveRoot(config), images: { mode: 'template', template: 'https://images.example.net/?u={url}' },
    session: (req) => (req.headers['x-test-session'] === 'yes' ? { csrf: 'the-csrf-token-123' } : undefined),
    log: process.env.FM_API_LOG ? (l) => process.stderr.write(l + '\n') : () => undefined,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  const { username, password } = credentials.rotate();
  const ids = new Map((db.prepare('SELECT title, id FROM items').all() as { title: string; id: number }[]).map((r) => [r.title, r.id]));
  return {
    dir, config, db, app, credentials, username, password, voa: voa.id, bbc: bbc.id, ids, base: `http://127.0.0.1:${addr.port}`,
    async close() {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const form = (o: Record<string, string | string[]>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
};

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
