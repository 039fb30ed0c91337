// feedmirror serve as a real process: prints the one-time password and the URL, answers, stops on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

test('feedmirror serve --port 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-serve-'));
  const env = { ...process.env, FEEDMIRROR_ADMIN_PASSWORD: '', FEEDMIRROR_DATA: '', FEEDMIRROR_PORT: '', FEEDMIRROR_PUBLIC: '' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--data', dir, '--port', '0'], { cwd: repo, env });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', (d: string) => {
        out += d;
        const m = /web reader at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) ok(m[1]);
      });
      child.once('exit', (code) => fail(new Error(`exited ${code}: ${out}`)));
    });
    assert.match(out, /administrator password \(shown once, keep it\): \S{16}/);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    const page = await fetch(`${url}/`, { redirect: 'manual' });
    assert.equal(page.status, 303);
    child.kill('SIGTERM');
    const code = await new Promise((ok) => child.once('exit', ok));
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('feedmirror serve: a bad port is a clear error', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--data', tmpdir(), '--port', 'eighty'], { cwd: repo });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  const code = await new Promise((ok) => child.once('exit', ok));
  assert.equal(code, 1);
  assert.match(err, /feedmirror serve: --port: expected 0-65535, got eighty/);
});
