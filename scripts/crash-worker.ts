// The process that scripts/crash-test.mjs kills. On start it does what
// `feedmirror run` does (reconcile store and archive), checks the invariants
// that must hold after any crash, then ingests <items> generated items in
// batches of <batch> (every time all of them: what was stored is skipped as a
// repeat), and checks again at the end, completeness included.
//
//   node --import tsx scripts/crash-worker.ts <data dir> <items> [batch]
//
// Output, one JSON object per line: {check}, {batch, added}..., {final}.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../src/store/index.ts';
import { Mirror } from '../src/mirror/index.ts';
import type { Item } from '../src/parse/index.ts';

const [data, countArg, batchArg] = process.argv.slice(2);
if (!data || !countArg) {
  process.stderr.write('usage: crash-worker.ts <data dir> <items> [batch]\n');
  process.exit(2);
}
const count = Number(countArg);
const batch = Number(batchArg ?? 100);
const base = Date.UTC(2025, 0, 1);
const SITE = '压力测试';
const TEMP = /^\..*\.tmp-\d+-[0-9a-f]{12}$/s;

function item(i: number): Item {
  const body = `<p>第${i}条新闻的正文。${'内容'.repeat(20 + (i % 40))}</p><p><a href="https://crash.example/a/${i - 1}.html?utm_source=x">上一条</a></p>`;
  return {
    guid: `item-${i}`, link: `https://crash.example/a/${i}.html`, links: [], title: { value: `新闻 ${i}：标题`, type: 'text' },
    content: [{ value: body, type: 'html' }], published: base + i * 60_000,
    authors: [], contributors: [], categories: [], enclosures: [], media: [], thumbnails: [], itunes: {}, ext: [],
  };
}

function tempFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.isDirectory()) out.push(...tempFiles(join(dir, d.name)));
    else if (TEMP.test(d.name)) out.push(join(dir, d.name));
  }
  return out;
}

/** What must hold after any crash once reconciled, and completeness when `complete`. */
async function check(db: ReturnType<typeof openStore>, mirror: Mirror, complete: boolean): Promise<Record<string, unknown>> {
  const problems: string[] = [];
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
  const rows = db.prepare('SELECT id, guid, title, url, path, missing FROM items').all() as { id: number; guid: string | null; title: string; url: string; path: string; missing: number }[];
  const byUrl = new Map<string, number>();
  for (const r of rows) {
    byUrl.set(r.url, (byUrl.get(r.url) ?? 0) + 1);
    if (r.missing) problems.push(`${r.path}: marked missing`);
    try {
      const it = await mirror.archive.read(r.path);
      if (it.title !== r.title || it.url !== r.url) problems.push(`${r.path}: file does not match its row`);
      if (!it.html.endsWith('上一条</a></p>')) problems.push(`${r.path}: incomplete HTML`);
    } catch (e) {
      problems.push(`${r.path}: ${(e as Error).message}`);
    }
  }
  for (const [url, n] of byUrl) if (n > 1) problems.push(`${url}: stored ${n} times`);
  const files: string[] = [];
  for await (const f of mirror.archive.walk()) files.push(f.path);
  const paths = new Set(rows.map((r) => r.path));
  for (const f of files) if (!paths.has(f)) problems.push(`${f}: file without a row`);
  const temps = tempFiles(mirror.archive.root);
  for (const t of temps) problems.push(`${t}: temporary file left`);
  if (complete) {
    if (rows.length !== count) problems.push(`${rows.length} rows for ${count} items`);
    const guids = new Set(rows.map((r) => r.guid));
    for (let i = 0; i < count; i++) if (!guids.has(`item-${i}`)) problems.push(`item-${i}: no row with its guid`);
  }
  return { rows: rows.length, files: files.length, problems: problems.slice(0, 20), problemCount: problems.length };
}

const db = openStore(join(data, 'feedmirror.db'));
const mirror = new Mirror(db, join(data, 'archive'));
const reconcile = await mirror.reconcile();
process.stdout.write(JSON.stringify({ check: await check(db, mirror, false), reconcile: { ...reconcile, unreadable: reconcile.unreadable.length } }) + '\n');
for (let start = 0; start < count; start += batch) {
  const items: Item[] = [];
  // Newest first, as feeds list them.
  for (let i = Math.min(count, start + batch) - 1; i >= start; i--) items.push(item(i));
  const t = performance.now();
  const r = await mirror.ingest(items, [{ site: SITE }]);
  if (r.failed) throw new Error(r.errors.join('; '));
  process.stdout.write(JSON.stringify({ batch: start / batch, added: r.added, ms: Math.round(performance.now() - t) }) + '\n');
}
await mirror.finishCycle();
process.stdout.write(JSON.stringify({ final: await check(db, mirror, true) }) + '\n');
db.close();
