#!/usr/bin/env node
// Crash test of the mirror: SIGKILL a process ingesting <items> items at random
// moments, <rounds> times; every restart must find the store and the archive
// consistent (integrity_check ok, no duplicates, no file without a row or row
// without a readable file, no temporary files), and a final uninterrupted run
// must find every item stored exactly once.
//
//   node scripts/crash-test.mjs [--rounds 20] [--items 5000] [--batch 100] [--seed 1] [--keep]
//
// The worker (scripts/crash-worker.ts) runs from source through tsx.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));

/** A small seeded PRNG (mulberry32), so that a failing run can be repeated. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Starts the worker; `killAt(event)` is asked after each output line and may
 * return a delay in ms after which the process is killed with SIGKILL.
 */
function runWorker(data, items, batch, killAt) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/crash-worker.ts', data, String(items), String(batch)], {
      cwd: repo, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events = [];
    let stderr = '';
    let buffer = '';
    let armed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let event;
        try {
          event = JSON.parse(line);
        } catch {
          continue;
        }
        events.push(event);
        if (!armed) {
          const delay = killAt(event);
          if (delay !== undefined) {
            armed = true;
            setTimeout(() => child.kill('SIGKILL'), delay);
          }
        }
      }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, events, stderr }));
  });
}

export async function crashTest({ rounds = 20, items = 5000, batch = 100, seed = 1, keep = false, log = () => {} } = {}) {
  const random = prng(seed);
  const data = mkdtempSync(join(tmpdir(), 'fm-crash-'));
  const report = { data, rounds: [], final: undefined, problems: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      // Mostly while new items are being written; sometimes right at start-up (during reconcile).
      const early = random() < 0.15;
      const fraction = random();
      let delay = 0;
      // Somewhere inside the next batch: its writes, its commit, or between the two.
      const killAt = (e) => {
        if (early && e.check) return (delay = Math.floor(fraction * 5));
        if (!early && e.batch !== undefined && e.added > 0) return (delay = Math.floor(fraction * e.ms * 1.2));
        return undefined;
      };
      const res = await runWorker(data, items, batch, killAt);
      const check = res.events.find((e) => e.check);
      const written = res.events.filter((e) => e.batch !== undefined).reduce((n, e) => n + e.added, 0);
      const round = { round: r + 1, killed: res.signal === 'SIGKILL', at: early ? `start-up + ${delay} ms` : `${delay} ms into a batch`, rowsAtStart: check?.check.rows, adopted: check?.reconcile.adopted, tempRemoved: check?.reconcile.tempRemoved, added: written };
      report.rounds.push(round);
      log(round);
      if (!check) report.problems.push(`round ${r + 1}: the worker gave no check (exit ${res.code}, ${res.signal ?? ''}): ${res.stderr.slice(-500)}`);
      else if (check.check.problemCount) report.problems.push(...check.check.problems.map((p) => `round ${r + 1}, after restart: ${p}`));
      if (res.signal !== 'SIGKILL' && res.code !== 0) report.problems.push(`round ${r + 1}: worker failed (exit ${res.code}): ${res.stderr.slice(-500)}`);
      if (res.events.some((e) => e.final)) break; // finished before the kill landed: nothing left to interrupt
    }
    const last = await runWorker(data, items, batch, () => undefined);
    const check = last.events.find((e) => e.check);
    const final = last.events.find((e) => e.final);
    if (check?.check.problemCount) report.problems.push(...check.check.problems.map((p) => `final restart: ${p}`));
    if (!final) report.problems.push(`final run did not finish (exit ${last.code}): ${last.stderr.slice(-500)}`);
    else if (final.final.problemCount) report.problems.push(...final.final.problems.map((p) => `final run: ${p}`));
    report.final = { ...final?.final, adopted: check?.reconcile.adopted, tempRemoved: check?.reconcile.tempRemoved };
    return report;
  } finally {
    if (!keep) rmSync(data, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return def;
    const v = Number(args[i + 1]);
    if (!Number.isInteger(v) || v < 0) {
      process.stderr.write(`--${name}: expected a non-negative integer\n`);
      process.exit(2);
    }
    return v;
  };
  const opts = { rounds: opt('rounds', 20), items: opt('items', 5000), batch: opt('batch', 100), seed: opt('seed', 1), keep: args.includes('--keep') };
  const started = Date.now();
  const report = await crashTest({ ...opts, log: (r) => process.stdout.write(`${JSON.stringify(r)}\n`) });
  const killed = report.rounds.filter((r) => r.killed).length;
  process.stdout.write(`${killed} kills in ${report.rounds.length} rounds on a ${opts.items}-item ingest; final: ${report.final?.rows} rows, ${report.final?.files} files; ${report.problems.length} problems; ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  for (const p of report.problems) process.stdout.write(`problem: ${p}\n`);
  if (opts.keep) process.stdout.write(`data kept in ${report.data}\n`);
  process.exitCode = report.problems.length || killed < Math.min(opts.rounds, 1) ? 1 : 0;
}
