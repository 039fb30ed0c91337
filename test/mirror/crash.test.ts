// The crash test, shortened (scripts/crash-test.mjs runs the full one: 20 kills
// on a 5,000-item ingest): SIGKILL at random moments, then restarts must find
// store and archive consistent and the last run every item exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { repo } from './helpers.ts';

test('3 kills during a 500-item ingest: consistent after each restart, complete after the last run', async () => {
  const out = await new Promise<string>((ok, fail) => {
    execFile(process.execPath, ['scripts/crash-test.mjs', '--rounds', '3', '--items', '500', '--batch', '50', '--seed', '7'], { cwd: repo }, (err, stdout, stderr) => {
      if (err && !stdout) fail(new Error(stderr || err.message));
      else ok(stdout);
    });
  });
  const rounds = out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { killed: boolean; adopted?: number });
  assert.equal(rounds.length, 3, out);
  assert.ok(rounds.every((r) => r.killed), out);
  assert.match(out, /^3 kills in 3 rounds on a 500-item ingest; final: 500 rows, 500 files; 0 problems;/m);
  assert.doesNotMatch(out, /^problem:/m);
});
