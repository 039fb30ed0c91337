// Parser fuzzer: mutated corpus feeds through parseFeed (and toJsonFeed), each input timed.
//   npm run fuzz -- [--count N] [--seed S] [--timeout-ms 1000] [--workers W] [--only I] [--corpus DIR]
// Exits 1 if any input threw, hung or took longer than --timeout-ms; reproducers are saved in
// .tmp/fuzz-crashes/ (rebuild one with --only I and the same seed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parseFeed } from '../src/parse/index.ts';
import { toJsonFeed } from '../src/publish/index.ts';
import { loadCorpus, makeInput, type CorpusFile } from './fuzz-mutate.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS_DIR = resolve(ROOT, '../shared/corpus/feeds');
const CRASH_DIR = join(ROOT, '.tmp/fuzz-crashes');

export interface FuzzOptions {
  count: number;
  seed: number;
  timeoutMs: number;
  /** 0: run in this thread (tests); otherwise worker threads. */
  workers: number;
  /** Cut corpus files to this many bytes before mutating (tests keep inputs small). */
  maxBase?: number;
  /** Cut mutated inputs to this many bytes (tests). */
  maxSize?: number;
  /** Run only this input number. */
  only?: number;
  crashDir?: string;
  corpusDir?: string;
  /** Progress lines on stderr. */
  progress?: boolean;
}

export interface Failure { index: number; kind: 'exception' | 'slow' | 'hang' | 'worker-died'; message: string; ms?: number; steps: string[]; base: string; reproducer?: string }

export interface FuzzReport {
  seed: number;
  inputs: number;
  bytes: number;
  failures: Failure[];
  slowest: { index: number; ms: number; bytes: number; base: string; steps: string[] } | null;
  seconds: number;
}

interface Outcome { index: number; ms: number; bytes: number; error?: string }

/** One input: parse, convert, time. Exceptions are data here, never escape. */
function runOne(corpus: CorpusFile[], seed: number, index: number, maxBase?: number, maxSize?: number): Outcome {
  const input = makeInput(corpus, seed, index, maxBase, maxSize);
  const t = performance.now();
  try {
    const feed = parseFeed(input.bytes);
    if (!feed || !Array.isArray(feed.items)) throw new Error('parseFeed returned no items array');
    toJsonFeed(feed);
    return { index, ms: performance.now() - t, bytes: input.bytes.length };
  } catch (e) {
    const err = e as Error;
    return { index, ms: performance.now() - t, bytes: input.bytes.length, error: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}\n${err?.stack ?? ''}` };
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
  const indices = opts.only !== undefined ? [opts.only] : Array.from({ length: opts.count }, (_, i) => i);
  const failures: Failure[] = [];
  let slowest: FuzzReport['slowest'] = null;
  let inputs = 0;
  let bytes = 0;
  let lastProgress = performance.now();

  const record = (o: Outcome) => {
    inputs++;
    bytes += o.bytes;
    // What the slowest input was made of is worked out once, at the end.
    if (!slowest || o.ms > slowest.ms) slowest = { index: o.index, ms: o.ms, bytes: o.bytes, base: '', steps: [] };
    const fail = (kind: Failure['kind'], message: string) => {
      const inp = makeInput(corpus, opts.seed, o.index, opts.maxBase, opts.maxSize);
      const f: Failure = { index: o.index, kind, message, ms: o.ms, steps: inp.steps, base: inp.base };
      f.reproducer = saveReproducer(crashDir, opts.seed, corpus, f, opts.maxBase, opts.maxSize);
      failures.push(f);
    };
    if (o.error !== undefined) fail('exception', o.error);
    else if (o.ms > opts.timeoutMs) fail('slow', `took ${o.ms.toFixed(0)} ms (limit ${opts.timeoutMs} ms)`);
    if (opts.progress && performance.now() - lastProgress > 5000) {
      lastProgress = performance.now();
      process.stderr.write(`[fuzz] ${inputs}/${indices.length} inputs, ${(bytes / 1e6).toFixed(0)} MB, ${failures.length} failures\n`);
    }
  };

  if (opts.workers <= 0) {
    for (const i of indices) record(runOne(corpus, opts.seed, i, opts.maxBase, opts.maxSize));
  } else {
    await runInWorkers(opts, indices, corpus, record, (f) => {
      inputs++;
      f.reproducer = saveReproducer(crashDir, opts.seed, corpus, f, opts.maxBase, opts.maxSize);
      failures.push(f);
    });
  }
  failures.sort((a, b) => a.index - b.index);
  const s = slowest as FuzzReport['slowest'];
  if (s) {
    const inp = makeInput(corpus, opts.seed, s.index, opts.maxBase, opts.maxSize);
    s.base = inp.base;
    s.steps = inp.steps;
  }
  return { seed: opts.seed, inputs, bytes, failures, slowest, seconds: (performance.now() - t0) / 1000 };
}

// Work goes out in small chunks; a worker stuck on one input past the hang limit is terminated,
// that input is recorded as a hang, and a fresh worker takes the rest of its chunk.
async function runInWorkers(
  opts: FuzzOptions, indices: number[], corpus: CorpusFile[],
  record: (o: Outcome) => void, failed: (f: Failure) => void,
): Promise<void> {
  const CHUNK = 25;
  const hangMs = Math.max(10_000, opts.timeoutMs * 10);
  let next = 0;
  const take = (): number[] => {
    const c = indices.slice(next, next + CHUNK);
    next += c.length;
    return c;
  };
  const lane = (): Promise<void> => new Promise((done, reject) => {
    let pending: number[] = [];
    let deathsWithoutProgress = 0;
    const state = new Float64Array(new SharedArrayBuffer(16)); // [current index, start time (epoch ms)]
    const start = () => {
      const w = new Worker(join(ROOT, 'scripts/fuzz-worker.mjs'), {
        workerData: { seed: opts.seed, maxBase: opts.maxBase, maxSize: opts.maxSize, corpusDir: opts.corpusDir ?? CORPUS_DIR, state: state.buffer },
        resourceLimits: { maxOldGenerationSizeMb: 2048 },
      });
      let finished = false;
      const watchdog = setInterval(() => {
        if (state[1] > 0 && Date.now() - state[1] > hangMs) die('hang', `no result after ${hangMs} ms`);
      }, 500);
      const send = () => {
        pending = take();
        if (!pending.length) { finish(); return; }
        w.postMessage(pending);
      };
      const finish = () => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        void w.terminate();
        done();
      };
      const die = (kind: Failure['kind'], message: string) => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        void w.terminate();
        const at = state[1] > 0 ? state[0] : pending[0];
        if (at !== undefined) {
          const inp = makeInput(corpus, opts.seed, at, opts.maxBase, opts.maxSize);
          failed({ index: at, kind, message, ms: state[1] > 0 ? Date.now() - state[1] : undefined, steps: inp.steps, base: inp.base });
        }
        // The rest of the chunk, then carry on with a fresh worker.
        const rest = pending.filter((i) => i > (at ?? -1));
        indices.splice(next, 0, ...rest);
        state[1] = 0;
        if (++deathsWithoutProgress > 3) {
          reject(new Error(`fuzz worker keeps dying: ${message}`));
          return;
        }
        start();
      };
      w.on('message', (outcomes: Outcome[]) => {
        deathsWithoutProgress = 0;
        for (const o of outcomes) record(o);
        send();
      });
      w.on('error', (e) => die('worker-died', `worker error: ${e.message}`));
      w.on('exit', (code) => { if (!finished) die('worker-died', `worker exited with code ${code}`); });
      w.once('online', send);
    };
    start();
  });
  const n = Math.max(1, Math.min(opts.workers, availableParallelism()));
  await Promise.all(Array.from({ length: n }, lane));
}

function workerMain(): void {
  const { seed, maxBase, maxSize, corpusDir, state: sab } = workerData as { seed: number; maxBase?: number; maxSize?: number; corpusDir: string; state: SharedArrayBuffer };
  const state = new Float64Array(sab);
  const corpus = loadCorpus(corpusDir);
  parentPort!.on('message', (chunk: number[]) => {
    const out: Outcome[] = [];
    for (const i of chunk) {
      state[0] = i;
      state[1] = Date.now();
      out.push(runOne(corpus, seed, i, maxBase, maxSize));
      state[1] = 0;
    }
    parentPort!.postMessage(out);
  });
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
    console.log('usage: npm run fuzz -- [--count N=10000] [--seed S=1] [--timeout-ms 1000] [--workers W=2] [--only I] [--corpus DIR]');
    return;
  }
  const only = argValue(args, '--only');
  const opts: FuzzOptions = {
    count: intArg(args, '--count', 10_000),
    seed: intArg(args, '--seed', 1),
    timeoutMs: intArg(args, '--timeout-ms', 1000),
    workers: intArg(args, '--workers', Math.min(2, availableParallelism())),
    only: only === undefined ? undefined : intArg(args, '--only', 0),
    corpusDir: argValue(args, '--corpus'),
    progress: true,
  };
  const r = await runFuzz(opts);
  const s = r.slowest as FuzzReport['slowest'];
  console.log(`fuzz seed ${r.seed}: ${r.inputs} inputs (${(r.bytes / 1e6).toFixed(0)} MB) in ${r.seconds.toFixed(1)} s`);
  if (s) console.log(`slowest: input ${s.index}, ${s.ms.toFixed(1)} ms, ${s.bytes} bytes, from ${s.base}: ${s.steps.join('; ')}`);
  const byKind = (k: Failure['kind']) => r.failures.filter((f) => f.kind === k).length;
  console.log(`exceptions: ${byKind('exception')}, slower than ${opts.timeoutMs} ms: ${byKind('slow')}, hangs: ${byKind('hang')}, worker deaths: ${byKind('worker-died')}`);
  for (const f of r.failures.slice(0, 20)) {
    console.log(`  input ${f.index} ${f.kind}: ${f.message.split('\n')[0]} [${f.base}: ${f.steps.join('; ')}] -> ${f.reproducer}`);
  }
  if (r.failures.length > 20) console.log(`  ... ${r.failures.length - 20} more in ${CRASH_DIR}`);
  process.exitCode = r.failures.length ? 1 : 0;
}

if (!isMainThread && (workerData as { state?: unknown } | null)?.state) workerMain();
else if (isMainThread && process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`fuzz: ${(e as Error).message}`);
    process.exitCode = 2;
  });
}
