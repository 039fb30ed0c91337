import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');
const REFERENCE = path.resolve(REPO, '../shared/examples/voachinese-7844678.md');
const RFA = path.resolve(REPO, '../shared/corpus/markdown-archive/articles/rfa/1048472.md');

function feedmirror(args: string[], input?: Buffer) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO, input, maxBuffer: 1 << 26 });
}

test('archive render prints the reference item byte for byte', () => {
  const r = feedmirror(['archive', 'render', REFERENCE]);
  assert.equal(r.status, 0, String(r.stderr));
  assert.ok(r.stdout.equals(readFileSync(REFERENCE)));
  assert.equal(String(r.stderr), '');
});

test('archive render - reads stdin (a corpus item with a CR inside)', () => {
  const bytes = readFileSync(RFA);
  const r = feedmirror(['archive', 'render', '-'], bytes);
  assert.equal(r.status, 0, String(r.stderr));
  assert.ok(r.stdout.equals(bytes));
});

test('archive render reports bad files with a clear message and exit status 1', () => {
  const binary = feedmirror(['archive', 'render', '-'], Buffer.from([0x5b, 0xff, 0x5d]));
  assert.equal(binary.status, 1);
  assert.match(String(binary.stderr), /not valid UTF-8/);
  assert.doesNotMatch(String(binary.stderr), /\n\s+at /); // no stack trace
});
