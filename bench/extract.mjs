#!/usr/bin/env node
// Extraction benchmark: runs feedmirror's extractor (and Readability.js + linkedom as a
// peer) over every page of a benchmark directory's manifest.json, writes one prediction
// per page, scores both with the directory's score.mjs and reports F1 and pages/second.
//
//   npm run bench:extract -- --dir ../shared/bench/extraction [--out DIR] [--no-peer]
//                            [--dataset NAME] [--bootstrap N] [--per-page]
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve, dirname } from 'node:path';
import { tmpdir, loadavg, cpus } from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { extract } from '../dist/extract/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const dir = resolve(opt('--dir', join(here, '../../shared/bench/extraction')));
const out = resolve(opt('--out', join(tmpdir(), 'feedmirror-extract-bench')));
const peer = !args.includes('--no-peer');
const only = opt('--dataset');
const bootstrap = opt('--bootstrap', '200');
const perPage = args.includes('--per-page');

if (!existsSync(join(dir, 'manifest.json'))) {
  console.error(`bench: no manifest.json in ${dir}`);
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const pages = manifest.pages.filter((p) => !only || p.dataset === only);
const ours = out;
const theirs = join(out, 'peer-readability-linkedom');
mkdirSync(ours, { recursive: true });

function load(p) {
  const raw = readFileSync(join(dir, p.html));
  return (p.html.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

function run(name, fn, target) {
  mkdirSync(target, { recursive: true });
  let ms = 0;
  const slow = [];
  const cpu0 = process.cpuUsage();
  for (const p of pages) {
    const t0 = performance.now();
    let body = '';
    try { body = fn(load(p), p.url); } catch (e) { console.error(`${name}: ${p.id}: ${e.message}`); }
    const dt = performance.now() - t0;
    ms += dt;
    slow.push([dt, p.id]);
    writeFileSync(join(target, `${p.id}.json`), JSON.stringify({ articleBody: body }));
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  slow.sort((a, b) => b[0] - a[0]);
  return { name, ms, cpuMs, pps: pages.length / (ms / 1000), cpuPps: pages.length / (cpuMs / 1000), slowest: slow.slice(0, 3) };
}

const runs = [run('feedmirror', (html, url) => extract(html, { url }).text, ours)];

if (peer) {
  const { Readability } = await import('@mozilla/readability');
  const { parseHTML } = await import('linkedom');
  // linkedom is not an HTML5 tree builder: pages that start at <head> or a <div> need a root.
  // A bare fragment also needs a <body>, or Readability finds no body element.
  const wrap = (h) => (/<html[\s>]/i.test(h.slice(0, 5000)) ? h : /<body[\s>]/i.test(h) ? `<html>${h}</html>` : `<html><body>${h}</body></html>`);
  runs.push(run('readability+linkedom', (html) => {
    let { document } = parseHTML(wrap(html));
    if (document.documentElement?.tagName !== 'HTML' || !document.body) ({ document } = parseHTML(`<html><body>${html}</body></html>`));
    return new Readability(document).parse()?.textContent ?? '';
  }, theirs));
}

function score(predDir) {
  const json = join(out, `.score-${Math.random().toString(36).slice(2)}.json`);
  const a = [join(dir, 'score.mjs'), predDir, '--data', dir, '--bootstrap', bootstrap, '--json', json];
  if (only) a.push('--dataset', only);
  if (perPage) a.push('--per-page', join(predDir, 'per-page.jsonl'));
  execFileSync(process.execPath, a, { stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(readFileSync(json, 'utf8'));
}

const scores = runs.map((r) => score(r.name === 'feedmirror' ? ours : theirs));
const f = (m) => (m ? `${m.f1.toFixed(3)}` : '–');
const val = (m) => m && (typeof m.f1 === 'object' ? { ...m, f1: m.f1.value ?? m.f1.mean } : m);

const rows = [];
for (const [ds, res] of Object.entries(scores[0].datasets)) {
  const keys = ['all', ...Object.keys(res.languages)];
  for (const k of keys) {
    const get = (s) => val(k === 'all' ? s.datasets[ds]?.all : s.datasets[ds]?.languages[k]);
    const n = pages.filter((p) => p.dataset === ds && (k === 'all' || p.language === k || (k === 'other' && !res.languages[p.language]))).length;
    rows.push(`| ${ds} | ${k} | ${n} | ${f(get(scores[0]))} | ${peer ? f(get(scores[1])) : '–'} |`);
  }
}
const table = [
  `| dataset | language | pages | F1 feedmirror | F1 Readability.js+linkedom |`,
  `| --- | --- | ---: | ---: | ---: |`,
  ...rows,
].join('\n');
const speed = [
  `| extractor | pages | wall ms | pages/s (wall) | CPU ms | pages per CPU-second | slowest pages (wall ms) |`,
  `| --- | ---: | ---: | ---: | ---: | ---: | --- |`,
  ...runs.map((r) => `| ${r.name} | ${pages.length} | ${r.ms.toFixed(0)} | ${r.pps.toFixed(1)} | ${r.cpuMs.toFixed(0)} | ${r.cpuPps.toFixed(1)} | ${r.slowest.map(([t, id]) => `${t.toFixed(0)} (${id.slice(0, 8)})`).join(', ')} |`),
].join('\n');
const ratio = peer ? `\nSpeed ratio feedmirror / Readability.js+linkedom: ${(runs[0].pps / runs[1].pps).toFixed(2)}x wall, ${(runs[0].cpuPps / runs[1].cpuPps).toFixed(2)}x CPU\n` : '';
const report = `# Extraction benchmark\n\n${new Date().toISOString()}, Node ${process.version}, ${pages.length} pages from \`${dir}\`` +
  `${only ? ` (dataset ${only})` : ''}.\nF1: score.mjs default tokenizer (upstream metric); time: gunzip + parse + extract, one thread; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs (on a shared machine, the CPU-time column is the fairer one).\n\n` +
  `${table}\n\n${speed}\n${ratio}`;
console.log(report);
console.log(`predictions: ${ours}${peer ? `, peer: ${theirs}` : ''}`);
// Partial runs (one dataset, no peer) are for development: they leave the recorded results alone.
if (!only && peer) {
  const resDir = join(here, 'results');
  mkdirSync(resDir, { recursive: true });
  writeFileSync(join(resDir, 'extract.md'), report);
  console.log(`written: ${join(resDir, 'extract.md')}`);
}
