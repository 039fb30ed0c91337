#!/usr/bin/env node
// Parse benchmark: feedmirror against the peer parsers of ../shared/bench/feeds (run by
// `npm run bench:parse`, which builds dist/ first). Extra arguments go to run-peers.mjs, e.g.
//   npm run bench:parse -- --rounds 1 --workloads rss-medium,atom-medium --peers feedsmith,saxes
// Writes bench/results/parse.md and parse.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(ROOT, '../shared/bench/feeds');
const FEEDS = join(ROOT, '.tmp/bench-feeds');
const DEPS = join(ROOT, '.tmp/feed-peers');
const RESULTS = join(ROOT, 'bench/results');
const ADAPTER = join(ROOT, 'bench/adapter.mjs');
// The peers' versions as the shared README pins them.
const PEERS = [
  'rss-parser@3.13.0', 'feedsmith@3.0.1', '@rowanmanning/feed-parser@2.1.5', 'feedparser@2.6.0',
  '@extractus/feed-extractor@8.0.3', 'fast-xml-parser@5.12.1', 'htmlparser2@12.0.0', 'saxes@6.0.0',
];
// Rows that are not JavaScript feed parsers in the sense of the speed ratio.
const NOT_JS = new Set(['python-feedparser', 'sfeed']);
// Raw XML tokenizers: no feed model, no entity or encoding handling worth the name.
const RAW = new Set(['fast-xml-parser', 'htmlparser2-sax', 'saxes']);
const SINGLE = ['rss-small', 'atom-small', 'rss-medium', 'atom-medium', 'rss-large', 'atom-large'];

const log = (...a) => console.error('[bench:parse]', ...a);
// --summarize: rewrite parse.md/json from the last run's results (no parsing, no timing).
const SUMMARIZE = process.argv.includes('--summarize');
const prev = SUMMARIZE ? JSON.parse(readFileSync(join(RESULTS, 'parse.json'), 'utf8')) : null;
const passthrough = SUMMARIZE ? prev.summary.args : process.argv.slice(2);
const outArg = passthrough.indexOf('--out');
const OUT = outArg >= 0 ? resolve(passthrough[outArg + 1]) : join(ROOT, '.tmp/bench-parse-out');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? 'exit ' + r.status})`);
}

// 1. Feeds, generated once (deterministic: same seed, same bytes).
if (!SUMMARIZE && !existsSync(join(FEEDS, 'manifest.json'))) {
  log(`generating feeds into ${FEEDS}`);
  run(process.execPath, [join(SHARED, 'generate.mjs'), FEEDS]);
}

// 2. Peer parsers, installed once outside git.
const missing = PEERS.filter((p) => !existsSync(join(DEPS, 'node_modules', p.slice(0, p.lastIndexOf('@')), 'package.json')));
if (!SUMMARIZE && missing.length) {
  log(`installing peers into ${DEPS}: ${missing.join(' ')}`);
  mkdirSync(DEPS, { recursive: true });
  if (!existsSync(join(DEPS, 'package.json'))) writeFileSync(join(DEPS, 'package.json'), '{"name":"feed-peers","private":true}\n');
  run('npm', ['install', '--save-exact', '--no-audit', '--no-fund', ...PEERS], { cwd: DEPS });
}

// 3. Items lost: our parser once over every generated document, against the manifest.
const manifest = JSON.parse(readFileSync(join(FEEDS, 'manifest.json'), 'utf8'));
const lost = SUMMARIZE ? prev.summary.itemsLost : { documents: 0, expectedItems: 0, items: 0, lost: 0, extra: 0, firstItemMismatches: [], failures: [] };
const docs = Object.entries(manifest.files).map(([name, f]) => ({ path: join(FEEDS, name), name, f }));
if (manifest.many) for (const f of manifest.many.files) docs.push({ path: join(FEEDS, manifest.many.dir, f.name), name: `many/${f.name}`, f });
const adapter = SUMMARIZE ? null : await import(pathToFileURL(ADAPTER).href);
for (const { path, name, f } of SUMMARIZE ? [] : docs) {
  lost.documents++;
  lost.expectedItems += f.items;
  let items;
  try {
    items = adapter.parse(new Uint8Array(readFileSync(path))).items;
  } catch (e) {
    lost.failures.push(`${name}: ${String(e?.message ?? e).split('\n')[0]}`);
    lost.lost += f.items;
    continue;
  }
  lost.items += items.length;
  lost.lost += Math.max(0, f.items - items.length);
  lost.extra += Math.max(0, items.length - f.items);
  const t = items[0]?.title?.trim();
  if (t !== f.firstTitle || items[0]?.link !== f.firstLink) {
    lost.firstItemMismatches.push({ file: name, title: t, expectedTitle: f.firstTitle, link: items[0]?.link, expectedLink: f.firstLink });
  }
}
log(`items: ${lost.items}/${lost.expectedItems} over ${lost.documents} documents, lost ${lost.lost}`);

// 4. The comparison proper.
if (!SUMMARIZE) run(process.execPath, [
  join(SHARED, 'run-peers.mjs'), '--feeds', FEEDS, '--deps', DEPS, '--adapter', `feedmirror=${ADAPTER}`,
  '--out', OUT, ...passthrough,
], { stdio: ['ignore', 'ignore', 'inherit'] });

// 5. Summary.
const res = SUMMARIZE ? prev.peers : JSON.parse(readFileSync(join(OUT, 'results.json'), 'utf8'));
const peerMd = (SUMMARIZE && prev.peersMd) || readFileSync(join(OUT, 'results.md'), 'utf8');
const ours = res.results.find((r) => r.id === 'feedmirror');
if (!ours || ours.error) throw new Error(`feedmirror did not run: ${ours?.error ?? 'no row'}`);
const js = res.results.filter((r) => !r.error && !r.reference && !r.external && !NOT_JS.has(r.id) && r.id !== 'feedmirror');
const workloads = Object.keys(ours.cells);
const per = workloads.map((w) => {
  const mine = ours.cells[w]?.mbps?.median ?? null;
  let best = null;
  for (const r of js) {
    const v = r.cells[w]?.mbps?.median;
    if (v != null && (best === null || v > best.mbps)) best = { id: r.id, name: r.name, mbps: v, correct: !(r.cells[w].failures?.length || r.cells[w].error) };
  }
  let bestCorrect = null;
  for (const r of js) {
    const c = r.cells[w];
    if (!c?.mbps || c.failures?.length || c.error) continue;
    if (bestCorrect === null || c.mbps.median > bestCorrect.mbps) bestCorrect = { id: r.id, name: r.name, mbps: c.mbps.median };
  }
  let bestFeed = null;
  for (const r of js) {
    const c = r.cells[w];
    if (RAW.has(r.id) || !c?.mbps || c.failures?.length || c.error) continue;
    if (bestFeed === null || c.mbps.median > bestFeed.mbps) bestFeed = { id: r.id, name: r.name, mbps: c.mbps.median };
  }
  return {
    fastestFeedParser: bestFeed, ratioFeedParser: mine != null && bestFeed ? mine / bestFeed.mbps : null,
    workload: w, mbps: mine, cpuMbps: ours.cells[w]?.cpuMbps?.median ?? null, correct: !(ours.cells[w]?.failures?.length || ours.cells[w]?.error),
    fastestJs: best, ratio: mine != null && best ? mine / best.mbps : null,
    fastestCorrectJs: bestCorrect, ratioCorrect: mine != null && bestCorrect ? mine / bestCorrect.mbps : null,
  };
});
const geo = (xs) => (xs.length ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : null);
const singles = per.filter((p) => SINGLE.includes(p.workload) && p.ratio != null);
const summary = {
  date: SUMMARIZE ? prev.summary.date : new Date().toISOString(),
  args: passthrough,
  machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavgStart: res.env.loadavgStart, foreignCoresMean: res.env.foreignCoresMean },
  workloads: per,
  geomeanRatioSingleFile: geo(singles.map((p) => p.ratio)),
  geomeanRatioSingleFileCorrectPeers: geo(singles.filter((p) => p.ratioCorrect != null).map((p) => p.ratioCorrect)),
  geomeanRatioSingleFileFeedParsers: geo(singles.filter((p) => p.ratioFeedParser != null).map((p) => p.ratioFeedParser)),
  // The issue counts seven workloads: the six single files and the many-feeds set.
  geomeanRatioAllWorkloads: geo(per.filter((p) => p.ratio != null).map((p) => p.ratio)),
  allWorkloadsInGeomean: per.filter((p) => p.ratio != null).map((p) => p.workload),
  // sfeed, the C parser the issue names as the speed to reach (out of process, so only a reference).
  geomeanRatioSfeed: (() => {
    const sf = res.results.find((r) => r.id === 'sfeed' && !r.error);
    if (!sf) return null;
    return geo(per.filter((p) => SINGLE.includes(p.workload) && p.mbps != null && sf.cells[p.workload]?.mbps?.median).map((p) => p.mbps / sf.cells[p.workload].mbps.median));
  })(),
  singleFileWorkloadsInGeomean: singles.map((p) => p.workload),
  gbk: ours.gbk ?? null,
  correct: workloads.every((w) => !(ours.cells[w]?.failures?.length || ours.cells[w]?.error)),
  itemsLost: lost,
  peakRssMB: Object.fromEntries(Object.entries(ours.mem ?? {}).map(([k, m]) => [k, m?.peakKB ? Math.round(m.peakKB / 1024) : null])),
};

const f2 = (x) => (x == null ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const md = [];
md.push('# Parse benchmark: feedmirror vs other feed parsers\n');
md.push(`Generated by \`npm run bench:parse${passthrough.length ? ' -- ' + passthrough.join(' ') : ''}\` on ${summary.date.slice(0, 16)}Z ` +
  `(node ${process.version}, ${summary.machine.cpus} × ${summary.machine.cpuModel}; other processes used ${f2(res.env.foreignCoresMean ?? 0)} cores on average during timed batches).`);
md.push(`Feeds: \`../shared/bench/feeds/generate.mjs\` (seed ${res.manifestSeed}); harness: \`../shared/bench/feeds/run-peers.mjs\`; our adapter: \`bench/adapter.mjs\` (input = bytes: the parser decodes).\n`);
md.push('## Summary\n');
md.push(`* **Speed vs the fastest JavaScript peer** (geometric mean of our MB/s ÷ the fastest JS peer's MB/s over ${singles.length} single-file workloads: ${singles.map((p) => p.workload).join(', ') || 'none run'}): **${f2(summary.geomeanRatioSingleFile)}×**. ` +
  'JavaScript peers = every built-in row except the reference row (utf8-decode), python-feedparser and sfeed; raw tokenizers (saxes, htmlparser2-sax, fast-xml-parser) count. The GBK file is a correctness check only (not timed); `many` is reported separately below.');
if (summary.allWorkloadsInGeomean.length > singles.length) md.push(`* The same ratio over all ${summary.allWorkloadsInGeomean.length} workloads run (${summary.allWorkloadsInGeomean.join(', ')}): **${f2(summary.geomeanRatioAllWorkloads)}×**.`);
md.push(`* Same ratio against the fastest JS peer that also passed the correctness gate: **${f2(summary.geomeanRatioSingleFileCorrectPeers)}×**.`);
md.push(`* Against the fastest JavaScript *feed parser* that passed the gate (raw tokenizers saxes, htmlparser2-sax and fast-xml-parser left out): **${f2(summary.geomeanRatioSingleFileFeedParsers)}×**.`);
if (summary.geomeanRatioSfeed != null) md.push(`* Against sfeed (C, Debian's package, out of process: start-up subtracted), same six workloads: **${f2(summary.geomeanRatioSfeed)}×**.`);
md.push(`* **GBK** (\`rss-medium.gbk.xml\`, encoding declared in the XML declaration only): ${ours.gbk?.ok ? 'ok' : 'NOT ok: ' + (ours.gbk?.why ?? 'not run')}.`);
md.push(`* **Correctness gate** (item count, first title and link on every workload run): ${summary.correct ? 'ok' : 'FAIL'}.`);
md.push(`* **Items lost**: ${lost.lost} of ${lost.expectedItems} over all ${lost.documents} generated documents (single files, GBK and ${manifest.many?.feeds ?? 0} many-feeds); extra items ${lost.extra}; first-item title/link mismatches ${lost.firstItemMismatches.length}; exceptions ${lost.failures.length}.`);
if (Object.keys(summary.peakRssMB).length) md.push(`* Peak RSS (whole process): ${Object.entries(summary.peakRssMB).map(([k, v]) => `${k} ${v ?? '?'} MB`).join(', ')}.`);
if (!res.results.some((r) => r.id === 'sfeed')) {
  md.push('* sfeed (C, out of process) was left out: on a loaded machine its calibration (wall time minus the same loop over /dev/null) ' +
    'can come out at or below zero, and run-peers.mjs then sizes a batch at billions of iterations (seen: 3×10^10 on rss-small, stopped after 19 minutes).');
}
md.push('');
md.push('| workload | feedmirror MB/s (wall) | feedmirror MB/s (CPU time) | fastest JS peer | its MB/s | ratio | fastest correct JS peer | ratio | fastest JS feed parser | ratio |');
md.push('|---|---:|---:|---|---:|---:|---|---:|---|---:|');
for (const p of per) {
  md.push(`| ${p.workload} | ${f2(p.mbps)}${p.correct ? '' : ' (FAIL)'} | ${f2(p.cpuMbps)} | ${p.fastestJs?.name ?? '—'} | ${f2(p.fastestJs?.mbps)} | ${f2(p.ratio)} | ${p.fastestCorrectJs?.name ?? '—'} | ${f2(p.ratioCorrect)} | ${p.fastestFeedParser ? `${p.fastestFeedParser.name} (${f2(p.fastestFeedParser.mbps)})` : '—'} | ${f2(p.ratioFeedParser)} |`);
}
md.push('\n## All peers (run-peers.mjs output)\n');
md.push(peerMd);
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'parse.md'), md.join('\n'));
writeFileSync(join(RESULTS, 'parse.json'), JSON.stringify({ summary, peers: res, peersMd: peerMd }, null, 1) + '\n');
console.log(md.join('\n'));
log(`wrote ${join(RESULTS, 'parse.md')} and parse.json`);
