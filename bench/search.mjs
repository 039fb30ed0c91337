#!/usr/bin/env node
// Search benchmark (run by `npm run bench:search`, which builds dist/ first).
// Builds a full-text index of generated items in a temporary SQLite file and
// times queries against it:
//   * 90% Chinese items from the feed generator of ../shared/bench/feeds
//     (its item model, seeded: 3-8 KB of pseudo-Chinese text per item, in the
//     feedx/VOA HTML layout), 10% English items from a small seeded generator
//     below, plus the reference item ../shared/examples/voachinese-7844678.md;
//   * ten sites, dates spread over years (for site: and after:/before:);
//   * reports indexing rate (items/s, index calls only: generation is not
//     timed), index size, and latency of a fixed query set (each query run
//     --runs times after one warm-up; snippets included).
//   node bench/search.mjs [--items 200000] [--runs 5] [--keep DIR] [--reuse DIR]
// --keep leaves the index in DIR; --reuse DIR only runs the queries on it.
// Writes bench/results/search.md and search.json.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { intOption } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GENERATOR = resolve(ROOT, '../shared/bench/feeds/generate.mjs');
const REFERENCE = resolve(ROOT, '../shared/examples/voachinese-7844678.md');
const RESULTS = join(ROOT, 'bench/results');
const args = process.argv.slice(2);
const opt = intOption;
const ITEMS = opt('items', 200_000);
const RUNS = opt('runs', 5);
const keepAt = args.includes('--keep') ? resolve(args[args.indexOf('--keep') + 1]) : undefined;
const reuse = args.includes('--reuse') ? resolve(args[args.indexOf('--reuse') + 1]) : undefined;
const log = (...a) => console.error('[bench:search]', ...a);

const { openStore } = await import(join(ROOT, 'dist/store/index.js'));
const { indexItems, optimizeIndex, search, indexedCount } = await import(join(ROOT, 'dist/search/index.js'));

// 1. The Chinese item generator: generate.mjs is a script (it writes files when
// imported), so its PRNG, vocabulary and item model are loaded from its source
// (everything between the PRNG and the write section) as a module of their own.
const source = readFileSync(GENERATOR, 'utf8');
const from = source.indexOf('// ---------- PRNG');
const to = source.indexOf('// ---------- write');
if (from < 0 || to < from) throw new Error(`${GENERATOR}: generator layout changed (PRNG/write markers not found)`);
const gen = await import(`data:text/javascript;base64,${Buffer.from(`${source.slice(from, to)}\nexport { makeItems, Rng };\n`).toString('base64')}`);
const SEED = 20241030;

// English items: news-like sentences over a fixed vocabulary.
const EN = ('the a of to in and for on with at by from as that is was were will said says after before over more than new '
  + 'government minister president election vote market markets bank banks trade tariff tariffs economy economic growth inflation '
  + 'rates interest police court judge law security military army troops war peace talks summit meeting leaders foreign '
  + 'ministry officials spokesman statement report reports city capital province region border coast island north south east '
  + 'west china chinese beijing taiwan taipei hong kong japan tokyo korea seoul pyongyang russia moscow ukraine kyiv europe '
  + 'brussels washington america american congress senate house white sanctions nuclear missile test launch satellite space '
  + 'climate energy oil gas coal power prices workers jobs unemployment strike protest protesters students university school '
  + 'health hospital virus vaccine doctors patients water flood storm typhoon earthquake fire rescue killed injured people '
  + 'company companies technology chips semiconductor software internet data privacy media press journalists freedom rights '
  + 'human activists prison sentenced arrested released investigation crisis deal agreement cooperation alliance partners '
  + 'exports imports shipping port ships navy coast guard drills exercises tensions dispute sea strait relations visit').split(' ');
function englishItems(seed, n, start) {
  const rng = new gen.Rng(seed);
  const sentence = () => {
    const k = rng.int(8, 22);
    const w = [];
    for (let i = 0; i < k; i++) w.push(rng.pick(EN));
    w[0] = w[0][0].toUpperCase() + w[0].slice(1);
    return `${w.join(' ')}.`;
  };
  const items = [];
  let t = start;
  for (let i = 0; i < n; i++) {
    const title = sentence().slice(0, -1);
    let html = '';
    const paras = rng.int(4, 12);
    for (let p = 0; p < paras; p++) {
      let para = '';
      const k = rng.int(2, 6);
      for (let s = 0; s < k; s++) para += `${sentence()} `;
      html += `<p>${para.trim()}</p>`;
    }
    items.push({ title, html, pubDate: new Date(t) });
    t -= rng.int(5, 90) * 60_000;
  }
  return items;
}

const SITES = ['voa', 'rfa', 'bbc', 'dw', 'nyt', 'rfi', 'ft', 'cna', 'udn', 'zaobao'];
const FEED_ITEMS = 20;

// Items in feed-sized batches; feed k of every ten is English. Each feed's dates
// are shifted by k hours (as in generate.mjs) and by k/5 days, so the corpus
// spans years.
function* batches() {
  const ref = readFileSync(REFERENCE, 'utf8');
  const [, epoch, title] = /^<!--(\d+)-->\n\[(.*)\]\(.*\)\n-+\n\n/.exec(ref);
  yield [{ id: 1, site: 'voa', title, html: ref.replace(/^(?:.*\n){4}/, ''), published: Number(epoch) }];
  let id = 2;
  for (let k = 0; id <= ITEMS; k++) {
    const n = Math.min(FEED_ITEMS, ITEMS - id + 1);
    const shift = Math.floor(k / 5) * 86_400_000;
    const raw = k % 10 === 9
      ? englishItems(SEED + 1 + k, n, Date.UTC(2024, 9, 30) - (k % 1000) * 3_600_000 - shift)
      : gen.makeItems(SEED + 1 + k, n);
    yield raw.map((it) => ({ id: id++, site: SITES[k % SITES.length], title: it.title, html: it.html, published: it.pubDate.getTime() - (k % 10 === 9 ? 0 : shift) }));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

// 2. Index.
const dir = reuse ?? keepAt ?? mkdtempSync(join(os.tmpdir(), 'fm-bench-search-'));
if (keepAt && !reuse) {
  mkdirSync(keepAt, { recursive: true });
  rmSync(join(keepAt, 'feedmirror.db'), { force: true });
  rmSync(join(keepAt, 'feedmirror.db-wal'), { force: true });
  rmSync(join(keepAt, 'feedmirror.db-shm'), { force: true });
}
const dbPath = join(dir, 'feedmirror.db');
const db = openStore(dbPath);
const started = Date.now();
let indexMs = 0;
let indexCpuMs = 0;
let textBytes = 0;
let done = 0;
let pending = [];
const flush = () => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  indexItems(db, pending);
  const c = process.cpuUsage(c0);
  indexCpuMs += (c.user + c.system) / 1000;
  indexMs += performance.now() - t0;
  done += pending.length;
  pending = [];
};
for (const batch of reuse ? [] : batches()) {
  for (const it of batch) textBytes += Buffer.byteLength(it.html);
  pending.push(...batch);
  if (pending.length >= 1000) {
    const before = Math.floor(done / 20_000);
    flush();
    if (Math.floor(done / 20_000) > before) log(`${done} items, ${(done / (indexMs / 1000)).toFixed(0)} items/s`);
  }
}
if (pending.length) flush();
const count = indexedCount(db);
const loadAtIndexEnd = os.loadavg().map((x) => x.toFixed(1)).join(' ');
log(`indexed ${count} items in ${(indexMs / 1000).toFixed(1)} s (wall ${((Date.now() - started) / 1000).toFixed(0)} s with generation)`);
const t1 = performance.now();
if (!reuse) optimizeIndex(db);
const optimizeMs = performance.now() - t1;
db.pragma('wal_checkpoint(TRUNCATE)');
const fileBytes = statSync(dbPath).size;
const tables = db.prepare(`SELECT CASE WHEN name LIKE 'search_fts%' THEN 'search_fts (index)' ELSE name END AS t, sum(pgsize) AS bytes
  FROM dbstat GROUP BY t ORDER BY bytes DESC`).all().filter((r) => r.bytes > 1e6);
log(`optimize ${(optimizeMs / 1000).toFixed(1)} s, file ${(fileBytes / 1e6).toFixed(0)} MB`);

// 3. Queries: Chinese words, names, phrases, Traditional forms, mixed, English,
// filters and exclusions. Words from the generator's vocabulary occur; the
// reference item's names occur once.
const QUERIES = [
  '外相', '崔善姬', '莫斯科會晤', '朝鲜外相崔善姬', '"战略磋商"',
  '中国', '美国 经济', '发展', '国际合作', '北京 -上海',
  '华盛顿', '布鲁塞尔', '"美国之音"', '新闻自由', '經濟發展',
  '人民 政府 site:voa', '科技 after:2024-06-01', '路透社 before:2023-01-01', 'COVID-19', 'NATO 峰会',
  'sanctions', 'nuclear missile', '"foreign minister"', 'taiwan strait -china', 'climate site:bbc after:2024-01-01',
];
for (const q of QUERIES) search(db, q, { limit: 20 }); // warm-up (page cache, statements)
const perQuery = QUERIES.map((q) => ({ q, ms: [], cpu: [], total: 0 }));
const all = [];
const allCpu = [];
for (let r = 0; r < RUNS; r++) {
  for (const pq of perQuery) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = search(db, pq.q, { limit: 20 });
    const c = process.cpuUsage(c0);
    const ms = performance.now() - t0;
    const cpu = (c.user + c.system) / 1000;
    pq.ms.push(ms);
    pq.cpu.push(cpu);
    all.push(ms);
    allCpu.push(cpu);
    pq.total = res.total;
  }
}
const refFound = ['外相', '崔善姬', '莫斯科會晤', '朝鲜外相崔善姬'].map((q) => ({ q, found: search(db, q, { limit: 1000 }).hits.some((h) => h.id === 1) }));
db.close();
if (!keepAt && !reuse) rmSync(dir, { recursive: true, force: true });

// 4. Report.
const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
// --reuse keeps the indexing figures of the run that built the index.
const prev = reuse && existsSync(join(RESULTS, 'search.json')) ? JSON.parse(readFileSync(join(RESULTS, 'search.json'), 'utf8')) : undefined;
const indexing = prev && prev.items === count
  ? { date: prev.date, loadAtIndexEnd: prev.loadAtIndexEnd, textMB: prev.textMB, indexSeconds: prev.indexSeconds, itemsPerSecond: prev.itemsPerSecond, indexCpuSeconds: prev.indexCpuSeconds, itemsPerCpuSecond: prev.itemsPerCpuSecond, optimizeSeconds: prev.optimizeSeconds }
  : { date: new Date().toISOString(), loadAtIndexEnd, textMB: textBytes / 1e6, indexSeconds: indexMs / 1000, itemsPerSecond: count / (indexMs / 1000), indexCpuSeconds: indexCpuMs / 1000, itemsPerCpuSecond: count / (indexCpuMs / 1000), optimizeSeconds: optimizeMs / 1000 };
if (reuse && !(prev && prev.items === count)) throw new Error('--reuse: bench/results/search.json is not from this index (item counts differ)');
const result = {
  ...indexing, queriesDate: new Date().toISOString(), reused: !!reuse, node: process.version, cpus: os.cpus().length, load,
  items: count, fileMB: fileBytes / 1e6, tables,
  queries: QUERIES.length, runs: RUNS, medianMs: median(all), p95Ms: pct(all, 95), maxMs: Math.max(...all),
  cpuMedianMs: median(allCpu), cpuP95Ms: pct(allCpu, 95),
  perQuery: perQuery.map((p) => ({ q: p.q, total: p.total, medianMs: median(p.ms), maxMs: Math.max(...p.ms), cpuMedianMs: median(p.cpu) })),
  refFound,
};
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'search.json'), `${JSON.stringify(result, null, 1)}\n`);
const f = (x, d = 1) => x.toFixed(d);
const md = `# Search benchmark

Generated by \`npm run bench:search${args.length ? ` -- ${args.join(' ')}` : ''}\` (node ${result.node}, ${result.cpus} cores shared with other work). Indexing run finished ${result.date} (load average when indexing ended: ${result.loadAtIndexEnd ?? 'not recorded'}); queries measured ${result.queriesDate}${result.reused ? ' on that same index (`--reuse`)' : ''} (load average: ${load}).

Corpus: ${count.toLocaleString('en')} items (${f(result.textMB, 0)} MB of HTML): 90% pseudo-Chinese full text from \`../shared/bench/feeds/generate.mjs\`'s item model (seed ${SEED}, 3–8 KB of text each), 10% English, and the reference item; ten sites; one SQLite file (better-sqlite3, WAL).

| measure | value |
|---|---:|
| indexing rate (index calls only, 1,000 items per transaction), wall clock | **${f(result.itemsPerSecond, 0)} items/s** (${f(result.indexSeconds, 0)} s) |
| indexing rate per CPU second of the process (what an idle core would give) | ${f(result.itemsPerCpuSecond, 0)} items/s (${f(result.indexCpuSeconds, 0)} s) |
| optimize (merge FTS5 segments) | ${f(result.optimizeSeconds)} s |
| database file after checkpoint | **${f(result.fileMB, 0)} MB** |
| query latency, median (${QUERIES.length} queries × ${RUNS} runs, limit 20, snippets included) | **${f(result.medianMs, 2)} ms** |
| query latency, 95th percentile | **${f(result.p95Ms, 2)} ms** |
| query latency, max | ${f(result.maxMs, 2)} ms |
| query CPU time, median / 95th percentile | ${f(result.cpuMedianMs, 2)} / ${f(result.cpuP95Ms, 2)} ms |

Space by table (dbstat):

| table | MB |
|---|---:|
${tables.map((t) => `| ${t.t} | ${f(t.bytes / 1e6, 0)} |`).join('\n')}

Per query (median and max over runs; total = matching items):

| query | total | median ms | max ms | median CPU ms |
|---|---:|---:|---:|---:|
${result.perQuery.map((p) => `| \`${p.q.replaceAll('|', '\\|')}\` | ${p.total} | ${f(p.medianMs, 2)} | ${f(p.maxMs, 2)} | ${f(p.cpuMedianMs, 2)} |`).join('\n')}

Reference item found: ${refFound.map((r) => `${r.q} ${r.found ? 'yes' : 'NO'}`).join(', ')}.
`;
writeFileSync(join(RESULTS, 'search.md'), md);
process.stdout.write(md);
