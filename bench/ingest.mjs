#!/usr/bin/env node
// Ingest benchmark (run by `npm run bench:ingest`, which builds dist/ first):
// 20,000 full-text items from ../shared/bench/feeds (rss-large and atom-large,
// 2,000 items each, five times over into ten sites) through the mirror into a
// temporary data directory: parse, dedupe, archive write (atomic, fsync) and
// store (SQLite), timed per stage; then the same feeds again (all repeats), and
// the lists. Content cleaning is timed apart on a sample (see the report).
//   node bench/ingest.mjs [--runs 3] [--copies 5] [--clean-sample 300] [--dir .tmp/bench-ingest]
// The data directories go under --dir (not the system's temporary directory:
// see "Where" in the report) and are all removed at the end, not between runs.
// Writes bench/results/ingest.md and ingest.json.
import { spawnSync } from 'node:child_process';
import fs, { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path, { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { intOption, option } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(ROOT, '../shared/bench/feeds');
const RESULTS = join(ROOT, 'bench/results');
const args = process.argv.slice(2);
const opt = intOption;
const RUNS = opt('runs', 3);
const COPIES = opt('copies', 5);
const SAMPLE = opt('clean-sample', 300);
const BASE = resolve(option('dir', join(ROOT, '.tmp/bench-ingest')));
mkdirSync(BASE, { recursive: true });
// Removed at the end: ext4 allocates inodes around recently deleted ones slowly
// (minutes after a large deletion), so one run's cleanup would slow the next one's creates.
const leftovers = [];
const log = (...a) => console.error('[bench:ingest]', ...a);

const { parseFeed } = await import(join(ROOT, 'dist/parse/index.js'));
const { Mirror } = await import(join(ROOT, 'dist/mirror/index.js'));
const { openStore } = await import(join(ROOT, 'dist/store/index.js'));
const { cleanHtml, STEPS } = await import(join(ROOT, 'dist/content/index.js'));

// 1. The feeds: generated once (same seed, same bytes), without the many-small set.
let FEEDS = join(ROOT, '.tmp/bench-feeds');
if (!existsSync(join(FEEDS, 'rss-large.xml'))) {
  FEEDS = join(ROOT, '.tmp/bench-ingest-feeds');
  if (!existsSync(join(FEEDS, 'rss-large.xml'))) {
    log(`generating feeds into ${FEEDS}`);
    const r = spawnSync(process.execPath, [join(SHARED, 'generate.mjs'), FEEDS, '--no-many'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('feed generator failed');
  }
}
const files = ['rss-large.xml', 'atom-large.xml'].map((f) => ({ name: f.replace('.xml', ''), bytes: readFileSync(join(FEEDS, f)) }));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function oneRun() {
  const dir = mkdtempSync(join(BASE, 'run-'));
  leftovers.push(dir);
  {
    const db = openStore(join(dir, 'feedmirror.db'));
    const timings = { dedupe: 0, clean: 0, write: 0, store: 0 };
    // Cleaning is timed apart (below): here the HTML goes to the archive as the feed gave it.
    const mirror = new Mirror(db, join(dir, 'archive'), { timings, clean: (html) => html });
    let parse = 0;
    let items = 0;
    let added = 0;
    const started = performance.now();
    for (let copy = 0; copy < COPIES; copy++) {
      for (const f of files) {
        const t = performance.now();
        const feed = parseFeed(f.bytes, { url: `https://feedx.net/rss/${f.name}.xml` });
        parse += performance.now() - t;
        items += feed.items.length;
        const r = await mirror.ingest(feed, [{ site: `${f.name}-${copy + 1}` }]);
        if (r.failed) throw new Error(r.errors.join('; '));
        added += r.added;
      }
    }
    const total = performance.now() - started;
    // The same feeds again: every item a repeat (parse and dedupe only, nothing written).
    const again = { dedupe: 0, clean: 0, write: 0, store: 0 };
    const repeat = new Mirror(db, join(dir, 'archive'), { timings: again, clean: (html) => html });
    let repeatParse = 0;
    let repeats = 0;
    const t2 = performance.now();
    for (let copy = 0; copy < COPIES; copy++) {
      for (const f of files) {
        const t = performance.now();
        const feed = parseFeed(f.bytes, { url: `https://feedx.net/rss/${f.name}.xml` });
        repeatParse += performance.now() - t;
        const r = await repeat.ingest(feed, [{ site: `${f.name}-${copy + 1}` }]);
        repeats += r.unchanged;
        if (r.added) throw new Error('a repeat was stored again');
      }
    }
    const repeatTotal = performance.now() - t2;
    const t3 = performance.now();
    const cycle = await mirror.finishCycle();
    const lists = performance.now() - t3;
    const rows = db.prepare('SELECT count(*) FROM items').pluck().get();
    db.close();
    return { items, added, rows, repeats, parse, ...timings, total, repeatParse, repeatDedupe: again.dedupe, repeatTotal, lists, listCount: cycle.lists.length };
  }
}

function cleanSample() {
  const feed = parseFeed(files[0].bytes, { url: 'https://feedx.net/rss/rss-large.xml' });
  const sample = feed.items.slice(0, SAMPLE);
  const time = (steps) => {
    const t = performance.now();
    for (const it of sample) cleanHtml(it.content[0]?.value ?? '', { baseUrl: it.link, steps });
    return performance.now() - t;
  };
  time('all'); // warm-up
  const out = { items: sample.length, all: time('all') };
  for (const s of STEPS) out[s] = time([s]);
  return out;
}

/**
 * What the disk allows, in the same place, just before each run: 2,000 files of
 * item size through the archive's protocol with nothing else to do (create and
 * write with synchronous calls, a batch of 128 at a time; the batch's fsyncs all
 * at once while the next batch is created; close, rename; one directory fsync per
 * batch), and the same files created and renamed without any fsync.
 */
async function diskReference() {
  const dir = mkdtempSync(join(BASE, 'disk-'));
  leftovers.push(dir);
  const body = 'x'.repeat(6500);
  const n = 2000;
  const B = 128;
  const fsync = (fd) => new Promise((ok, fail) => fs.fsync(fd, (e) => (e ? fail(e) : ok())));
  const name = (k, sync) => `${k}_${sync ? 's' : 'n'}_一条新闻的标题.md`;
  const out = {};
  for (const sync of [true, false]) {
    const t = performance.now();
    if (sync) {
      const create = (from) => {
        const fds = [];
        for (let k = from; k < Math.min(n, from + B); k++) {
          const fd = fs.openSync(join(dir, `.${name(k, sync)}.tmp`), 'wx', 0o644);
          fs.writeSync(fd, body);
          fds.push([fd, k]);
        }
        return { fds, flushed: Promise.all(fds.map(([fd]) => fsync(fd))) };
      };
      const finish = async (b) => {
        await b.flushed;
        for (const [fd, k] of b.fds) {
          fs.closeSync(fd);
          fs.renameSync(join(dir, `.${name(k, sync)}.tmp`), join(dir, name(k, sync)));
        }
        const d = fs.openSync(dir, 'r');
        await fsync(d);
        fs.closeSync(d);
      };
      let prev;
      for (let from = 0; from < n; from += B) {
        const b = create(from);
        if (prev) await finish(prev);
        prev = b;
      }
      await finish(prev);
    } else {
      for (let k = 0; k < n; k++) {
        const fd = fs.openSync(join(dir, `.${name(k, sync)}.tmp`), 'wx', 0o644);
        fs.writeSync(fd, body);
        fs.closeSync(fd);
        fs.renameSync(join(dir, `.${name(k, sync)}.tmp`), join(dir, name(k, sync)));
      }
    }
    out[sync ? 'fsync' : 'nofsync'] = Math.round(n / ((performance.now() - t) / 1000));
  }
  return out;
}

const runs = [];
const disk = [];
for (let i = 0; i < RUNS; i++) {
  disk.push(await diskReference());
  log(`run ${i + 1}/${RUNS} (the disk just before: ${disk[i].fsync} files/s by the protocol, ${disk[i].nofsync} without fsync)`);
  runs.push(await oneRun());
  const r = runs[runs.length - 1];
  log(`  ${r.added} items in ${(r.total / 1000).toFixed(2)} s: ${Math.round(r.added / (r.total / 1000))} items/s`);
}
log('removing the data directories');
for (const d of leftovers) rmSync(d, { recursive: true, force: true });
log(`cleaning a sample of ${SAMPLE} items`);
const cleanRuns = [cleanSample(), cleanSample(), cleanSample()];

const m = (k) => median(runs.map((r) => r[k]));
const c = (k) => median(cleanRuns.map((r) => r[k]));
const N = runs[0].added;
const rate = (ms, n = N) => Math.round(n / (ms / 1000));
const stages = [
  ['parse', m('parse')],
  ['dedupe (keys, hashes, lookups)', m('dedupe')],
  ['archive write (atomic: temp file, fsync, rename, fsync dir; in a writer thread, here the main thread\'s share and wait)', m('write')],
  ['store (SQLite rows, a transaction per 512 durable files, while the next files are being written)', m('store')],
];
const sum = stages.reduce((a, [, ms]) => a + ms, 0);
const cleanPerItem = c('all') / c('items');
const diskFsync = median(disk.map((d) => d.fsync));
const diskNoFsync = median(disk.map((d) => d.nofsync));
// Here a directory that had not lost files lately creates 15,000-50,000 files/s without fsync.
const where = BASE.startsWith(ROOT + path.sep) ? path.relative(ROOT, BASE) : BASE;
const slowDisk = diskNoFsync < 5000
  ? `\n**Files were created slowly in ${where} (${diskNoFsync.toLocaleString('en')}/s without fsync): probably many files were deleted near it in the last minutes (an earlier run?); the figures above understate. Run again in five minutes, or with \`--dir\` elsewhere on the disk.**\n`
  : '';
if (slowDisk) log(slowDisk.trim());
const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const md = `# Ingest benchmark

\`npm run bench:ingest\` (bench/ingest.mjs), ${date}. Node ${process.version}, ${os.cpus().length} CPUs
(${os.cpus()[0]?.model ?? '?'}), shared with other work: load average ${load} at the end.
Medians of ${RUNS} runs.

Workload: ${N.toLocaleString('en')} full-text items (≈5.7 KB of HTML each) from \`../shared/bench/feeds\`
(\`rss-large.xml\` and \`atom-large.xml\`, 2,000 items each, ingested ${COPIES} times into ${2 * COPIES} sites, so every item is new),
through \`Mirror.ingest\` into an empty temporary data directory: SQLite index (WAL) and one archive file per item.

| stage | ms | items/s |
|---|---:|---:|
${stages.map(([name, ms]) => `| ${name} | ${ms.toFixed(0)} | ${rate(ms).toLocaleString('en')} |`).join('\n')}
| **parse + dedupe + write + store** | **${sum.toFixed(0)}** | **${rate(sum).toLocaleString('en')}** |
| wall time of the whole ingest (the stages plus ordering and bookkeeping) | ${m('total').toFixed(0)} | ${rate(m('total')).toLocaleString('en')} |
| the same feeds again: parse + dedupe, every item a repeat, nothing written | ${m('repeatTotal').toFixed(0)} | ${rate(m('repeatTotal')).toLocaleString('en')} |
| lists of the ${runs[0].listCount} sites (300 entries each) | ${m('lists').toFixed(0)} | |
| *reference: what the disk allows here, the archive's protocol with nothing else to do* | | *${diskFsync.toLocaleString('en')} files/s* |
| *reference: the same files created and renamed without fsync* | | *${diskNoFsync.toLocaleString('en')} files/s* |

Every run stored ${runs.map((r) => r.rows).join(', ')} rows (expected ${N}) and recognized ${runs.map((r) => r.repeats).join(', ')} repeats.

The stages are the main thread's time. Item files are rendered and written by a writer
thread, a batch of 128 at a time, while the main thread goes on with dedupe and commits the
rows of the files already durable (file first, row after); so the archive write row is the
main thread's share (ids, handing items over) and its wait for the disk that nothing else
covered, and the stages add up to about the wall time (the rest is preparing items and
ordering them).

The reference rows, measured in the same directory just before each run (median of ${RUNS}):
2,000 files of 6.5 KB through the archive's protocol alone (temporary file created and
written with synchronous calls, a batch of 128 at a time, the batch's fsyncs issued at once
while the next batch is created, close, rename, one directory fsync per batch): ${diskFsync.toLocaleString('en')} files/s
(runs: ${disk.map((d) => d.fsync.toLocaleString('en')).join(', ')}); the same files created and renamed one
after the other without fsync: ${diskNoFsync.toLocaleString('en')} files/s (runs: ${disk.map((d) => d.nofsync.toLocaleString('en')).join(', ')}).
${slowDisk}

Where: the data directories are created under \`${where}\` (option \`--dir\`) and removed only
after the last run. Not in the system's temporary directory: ext4 allocates a new inode near
recently deleted ones slowly (for minutes after a large deletion it checks them one by one), and
on a shared machine that directory sees test suites create and delete files all day; so does a
benchmark that removes 20,000 files between runs. A mirror's data directory gains files and
rarely loses them.

## Content cleaning (timed apart)

In the runs above the HTML went to the archive as the feed gave it. The real cleaner
(\`src/content\` \`cleanHtml\`, all steps, sanitizer last) on the first ${c('items')} items of \`rss-large.xml\`,
median of 3 (after a warm-up):

| step | ms per item | items/s |
|---|---:|---:|
| all steps | ${cleanPerItem.toFixed(2)} | ${rate(c('all'), c('items')).toLocaleString('en')} |
${STEPS.map((s) => `| ${s} alone | ${(c(s) / c('items')).toFixed(2)} | ${rate(c(s), c('items')).toLocaleString('en')} |`).join('\n')}

With the real cleaner in the pipeline the rate for this workload would be about
${rate(sum + cleanPerItem * N).toLocaleString('en')} items/s
(parse + dedupe + write + store + ${N.toLocaleString('en')} × ${cleanPerItem.toFixed(2)} ms).
`;
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'ingest.md'), md);
writeFileSync(join(RESULTS, 'ingest.json'), JSON.stringify({ date, node: process.version, load, dir: where, runs, disk, clean: cleanRuns }, null, 2) + '\n');
process.stdout.write(md);
