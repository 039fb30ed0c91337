// A small fuzz run (the full one is `npm run fuzz -- --count 100000`): mutated corpus feeds must
// never throw, hang or take long.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFuzz, CORPUS_DIR } from '../../scripts/fuzz.ts';
import { loadCorpus, makeInput } from '../../scripts/fuzz-mutate.ts';

test('inputs are a pure function of (seed, index)', () => {
  const corpus = loadCorpus(CORPUS_DIR);
  for (const i of [0, 1, 17, 999]) {
    const a = makeInput(corpus, 42, i);
    const b = makeInput(corpus, 42, i);
    assert.deepEqual(a.steps, b.steps);
    assert.equal(Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes)), 0);
  }
  const differ = [0, 1, 2, 3, 4].filter((i) => Buffer.compare(Buffer.from(makeInput(corpus, 1, i).bytes), Buffer.from(makeInput(corpus, 2, i).bytes)) !== 0);
  assert.ok(differ.length >= 4, 'another seed gives other inputs');
});

test('2,000 fuzzed inputs: no exception, none over 2 s of CPU', async (t) => {
  const crashDir = mkdtempSync(join(tmpdir(), 'fm-fuzz-'));
  try {
    // Small bases and a size cap keep this to a few seconds; the full run has no caps. The limit
    // is on CPU time per input, twice the fuzzer's default as a margin for a busy machine.
    const r = await runFuzz({ count: 2000, seed: 20261126, timeoutMs: 2000, workers: 0, maxBase: 4096, maxSize: 16384, crashDir });
    t.diagnostic(`${r.inputs} inputs, ${(r.bytes / 1e6).toFixed(1)} MB, ${r.seconds.toFixed(1)} s; slowest ${r.slowest?.ms.toFixed(0)} ms (${r.slowest?.steps.join('; ')})`);
    assert.equal(r.inputs, 2000);
    assert.deepEqual(r.failures.map((f) => `${f.index} ${f.kind}: ${f.message.split('\n')[0]} [${f.steps.join('; ')}]`), []);
    assert.deepEqual(readdirSync(crashDir), [], 'no reproducers written');
  } finally {
    rmSync(crashDir, { recursive: true, force: true });
  }
});
