// Parser fuzzer: mutated corpus feeds through parseFeed (and toJsonFeed), each input timed.
//   npm run fuzz -- [--count N] [--seed S] [--timeout-ms 1000] [--workers W] [--only I] [--from I] [--corpus DIR]
// Exits 1 if any input threw, hung or used more than --timeout-ms of CPU; reproducers are saved
// in .tmp/fuzz-crashes/ (rebuild one with --only I and the same seed).
//
// Time is CPU time of the process that parses (user + system, GC threads included), not wall
// time: on a machine shared with other work, wall time says more about the neighbours than about
// the parser. Wall time is reported beside it, and a hang is judged by wall time.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFeed } from '../src/parse/index.ts';
import { toJsonFeed } from '../src/publish/index.ts';
import { loadCorpus, makeInput, type CorpusFile } from './fuzz-mutate.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS_DIR = resolve(ROOT, '../shared/corpus/feeds');
const CRASH_DIR = join(ROOT, '.tmp/fuzz-crashes');
const CHILD_FLAG = '--fuzz-child';

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Limit on the CPU time of one input. */
  timeoutMs: number;
  /** 0: run in this process (tests); otherwise that many child processes. */
  workers: number;
  /** Cut corpus files to this many bytes before mutating (tests keep inputs small). */
  maxBase?: number;
  /** Cut mutated inputs to this many bytes (tests). */
  maxSize?: number;
  /** Run only this input number. */
  only?: number;
  /** First input number (runs from..from+count-1), so that a long run can be split. */
  from?: number;
  crashDir?: string;
  corpusDir?: string;
  /** Progress lines on stderr. */
  progress?: boolean;
}

export interface Failure {
  index: number;
  kind: 'exception' | 'slow' | 'hang' | 'crash';
  message: string;
  /** CPU milliseconds (wall milliseconds for hangs). */
  ms?: number;
  steps: string[];
  base: string;
  reproducer?: string;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  bytes: number;
  failures: Failure[];
  slowest: { index: number; ms: number; wallMs: number; bytes: number; base: string; steps: string[] } | null;
  seconds: number;
}

interface Outcome { index: number; ms: number; wallMs: number; bytes: number; error?: string }

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** One input: parse, convert, time. Exceptions are data here, never escape. */
function runOne(corpus: CorpusFile[], seed: number, index: number, maxBase?: number, maxSize?: number): Outcome {
  const input = makeInput(corpus, seed, index, maxBase, maxSize);
  const c = cpuMs();
  const t = performance.now();
  const done = (error?: string): Outcome => ({ index, ms: cpuMs() - c, wallMs: performance.now() - t, bytes: input.bytes.length, error });
  try {
    const feed = parseFeed(input.bytes);
    if (!feed || !Array.isArray(feed.items)) throw new Error('parseFeed returned no items array');
    toJsonFeed(feed);
    return done();
  } catch (e) {
    const err = e as Error;
    return done(`${err?.name ?? 'Error'}: ${err?.message ?? String(e)}\n${err?.stack ?? ''}`);
  }
}

function saveReproducer(dir: string, seed: number, corpus: CorpusFile[], f: Failure, maxBase?: number, maxSize?: number): string {
  mkdirSync(dir, { recursive: true });
  const input = makeInput(corpus, seed, f.index, maxBase, maxSize);
  const base = join(dir, `seed${seed}-input${f.index}`);
  writeFileSync(base + '.bin', input.bytes);
  writeFileSync(base + '.txt', [
    `kind: ${f.kind}${f.ms !== undefined ? ` (${f.ms.toFixed(0)} ms)` : ''}`,
    `corpus file: ${input.base}`,
    `mutations: ${input.steps.join('; ')}`,
    `rebuild: npm run fuzz -- --seed ${seed} --only ${f.index}${maxBase || maxSize ? ` (test limits: maxBase ${maxBase}, maxSize ${maxSize})` : ''}`,
    '', f.message, '',
  ].join('\n'));
  return base + '.bin';
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const corpusDir = opts.corpusDir ?? CORPUS_DIR;
  const crashDir = opts.crashDir ?? CRASH_DIR;
  const corpus = loadCorpus(corpusDir);
  if (!corpus.length) throw new Error(`no corpus files in ${corpusDir}`);
  const from = opts.from ?? 0;
  const indices = opts.only !== undefined ? [opts.only] : Array.from({ length: opts.count }, (_, i) => from + i);
  const total = indices.length; // the queue itself grows back when a child dies mid-chunk
  const failures: Failure[] = [];
  let slowest: FuzzReport['slowest'] = null;
  let inputs = 0;
  let bytes = 0;
  let lastProgress = performance.now();

  const fail = (f: Failure) => {
    const inp = makeInput(corpus, opts.seed, f.index, opts.maxBase, opts.maxSize);
    f.steps = inp.steps;
    f.base = inp.base;
    f.reproducer = saveReproducer(crashDir, opts.seed, corpus, f, opts.maxBase, opts.maxSize);
    failures.push(f);
  };
  const record = (o: Outcome) => {
    inputs++;
    bytes += o.bytes;
    // What the slowest input was made of is worked out once, at the end.
    if (!slowest || o.ms > slowest.ms) slowest = { index: o.index, ms: o.ms, wallMs: o.wallMs, bytes: o.bytes, base: '', steps: [] };
    if (o.error !== undefined) fail({ index: o.index, kind: 'exception', message: o.error, ms: o.ms, steps: [], base: '' });
    else if (o.ms > opts.timeoutMs) {
      fail({ index: o.index, kind: 'slow', message: `took ${o.ms.toFixed(0)} ms of CPU (${o.wallMs.toFixed(0)} ms wall; limit ${opts.timeoutMs} ms)`, ms: o.ms, steps: [], base: '' });
    }
    if (opts.progress && performance.now() - lastProgress > 10_000) {
      lastProgress = performance.now();
      process.stderr.write(`[fuzz] ${inputs}/${total} inputs, ${(bytes / 1e6).toFixed(0)} MB, ${failures.length} failures, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  };

  if (opts.workers <= 0) {
    for (const i of indices) record(runOne(corpus, opts.seed, i, opts.maxBase, opts.maxSize));
  } else {
    await runInChildren(opts, indices, record, (f) => {
      inputs++;
      fail(f);
    });
  }
  failures.sort((a, b) => a.index - b.index);
  const s = slowest as FuzzReport['slowest'];
  if (s) {
    const inp = makeInput(corpus, opts.seed, s.index, opts.maxBase, opts.maxSize);
    s.base = inp.base;
    s.steps = inp.steps;
  }
  return { seed: opts.seed, inputs, bytes, failures, slowest: s, seconds: (performance.now() - t0) / 1000 };
}

// Work goes out in small chunks; results come back one per input. A child silent for longer than
// the hang limit is killed, the input it was on is recorded as a hang, and a fresh child takes the
// rest of its chunk. A child that dies (out of memory, stack) is recorded the same way.
async function runInChildren(
  opts: FuzzOptions, indices: number[],
  record: (o: Outcome) => void, failed: (f: Failure) => void,
): Promise<void> {
  const CHUNK = 50;
  const hangMs = Math.max(10_000, opts.timeoutMs * 10);
  let next = 0;
  const take = (): number[] => {
    const c = indices.slice(next, next + CHUNK);
    next += c.length;
    return c;
  };
  const lane = (): Promise<void> => new Promise((done, reject) => {
    let deathsWithoutProgress = 0;
    const start = () => {
      let pending: number[] = [];
      let lastHeard = Date.now();
      let finished = false;
      const child: ChildProcess = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx', '--max-old-space-size=2048'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const send = () => {
        pending = take();
        if (!pending.length) { finish(); return; }
        lastHeard = Date.now();
        child.send({ seed: opts.seed, maxBase: opts.maxBase, maxSize: opts.maxSize, corpusDir: opts.corpusDir ?? CORPUS_DIR, chunk: pending });
      };
      const watchdog = setInterval(() => {
        if (pending.length && Date.now() - lastHeard > hangMs) die('hang', `no result after ${hangMs} ms (wall)`, Date.now() - lastHeard);
      }, 500);
      const finish = () => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        child.kill('SIGKILL');
        done();
      };
      const die = (kind: Failure['kind'], message: string, ms?: number) => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        child.kill('SIGKILL');
        const at = pending[0];
        if (at !== undefined) {
          failed({ index: at, kind, message, ms, steps: [], base: '' });
          // The rest of the chunk goes back to the front of the queue.
          indices.splice(next, 0, ...pending.slice(1));
        }
        if (++deathsWithoutProgress > 3) {
          reject(new Error(`fuzz child keeps dying: ${message}`));
          return;
        }
        start();
      };
      child.on('message', (m: Outcome | 'ready') => {
        if (m === 'ready') { send(); return; }
        deathsWithoutProgress = 0;
        lastHeard = Date.now();
        pending.shift();
        record(m);
        if (!pending.length) send();
      });
      child.on('error', (e) => die('crash', `child error: ${e.message}`));
      child.on('exit', (code, signal) => { if (!finished) die('crash', `child exited (${signal ?? 'code ' + code})`); });
    };
    start();
  });
  const n = Math.max(1, Math.min(opts.workers, availableParallelism()));
  await Promise.all(Array.from({ length: n }, lane));
}

function childMain(): void {
  let corpus: CorpusFile[] | undefined;
  process.on('message', async (m: { seed: number; maxBase?: number; maxSize?: number; corpusDir: string; chunk: number[] }) => {
    corpus ??= loadCorpus(m.corpusDir);
    for (const i of m.chunk) {
      process.send!(runOne(corpus, m.seed, i, m.maxBase, m.maxSize));
      // Let the result go out now: the parent's hang watchdog goes by when it last heard from us.
      await new Promise((ok) => setImmediate(ok));
    }
  });
  process.send!('ready');
}

function argValue(args: string[], name: string): string | undefined {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
}

function intArg(args: string[], name: string, dflt: number): number {
  const v = argValue(args, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new Error(`${name} wants a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: npm run fuzz -- [--count N=10000] [--seed S=1] [--timeout-ms 1000] [--workers W=2] [--only I] [--from I] [--corpus DIR]');
    return;
  }
  const only = argValue(args, '--only');
  const opts: FuzzOptions = {
    count: intArg(args, '--count', 10_000),
    seed: intArg(args, '--seed', 1),
    timeoutMs: intArg(args, '--timeout-ms', 1000),
    workers: intArg(args, '--workers', Math.min(2, availableParallelism())),
    only: only === undefined ? undefined : intArg(args, '--only', 0),
    from: intArg(args, '--from', 0),
    corpusDir: argValue(args, '--corpus'),
    progress: true,
  };
  if (opts.only !== undefined) opts.workers = 0;
  const r = await runFuzz(opts);
  const s = r.slowest;
  console.log(`fuzz seed ${r.seed}: ${r.inputs} inputs (${opts.only !== undefined ? `#${opts.only}` : `#${opts.from ?? 0}..#${(opts.from ?? 0) + opts.count - 1}`}, ${(r.bytes / 1e6).toFixed(0)} MB) in ${r.seconds.toFixed(1)} s`);
  if (s) console.log(`slowest: input ${s.index}, ${s.ms.toFixed(1)} ms CPU (${s.wallMs.toFixed(1)} ms wall), ${s.bytes} bytes, from ${s.base}: ${s.steps.join('; ')}`);
  const byKind = (k: Failure['kind']) => r.failures.filter((f) => f.kind === k).length;
  console.log(`exceptions: ${byKind('exception')}, over ${opts.timeoutMs} ms CPU: ${byKind('slow')}, hangs: ${byKind('hang')}, crashes: ${byKind('crash')}`);
  for (const f of r.failures.slice(0, 30)) {
    console.log(`  input ${f.index} ${f.kind}: ${f.message.split('\n')[0]} [${f.base}: ${f.steps.join('; ')}] -> ${f.reproducer}`);
  }
  if (r.failures.length > 30) console.log(`  ... ${r.failures.length - 30} more in ${CRASH_DIR}`);
  process.exitCode = r.failures.length ? 1 : 0;
}

if (process.argv.includes(CHILD_FLAG) && process.send) childMain();
else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`fuzz: ${(e as Error).message}`);
    process.exitCode = 2;
  });
}
