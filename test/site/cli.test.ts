// feedmirror site as a real process: saved searches, a build, and clear errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seed } from '../server/seed.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const s = await seed({ extra: 2 });
s.db.close();
after(() => s.cleanup());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, FEEDMIRROR_DATA: '' };
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'site', ...args, '--data', s.dir], { cwd: repo, env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('save-search, searches, build with --base-url; an error is one line and exit code 1', async () => {
  assert.equal((await cli('save-search', 'waixiang', '外相', '崔善姬')).code, 0);
  assert.equal((await cli('searches')).stdout, 'waixiang\t外相 崔善姬\n');
  const out = join(s.dir, 'site');
  const r = await cli('build', out, '--base-url', 'https://mirror.example/zh');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^4 items, \d+ files \(\d+ written, 0 removed\)/);
  const atom = readFileSync(join(out, 'feeds/search/waixiang.atom'), 'utf8');
  assert.match(atom, /<link rel="self" type="application\/atom\+xml" href="https:\/\/mirror\.example\/zh\/feeds\/search\/waixiang\.atom"\/>/);
  assert.equal((atom.match(/<entry>/g) ?? []).length, 1);
  assert.ok(existsSync(join(out, 'search.html')));
  const gone = await cli('delete-search', 'nothing');
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /^feedmirror site delete-search: no saved search "nothing"\n$/);
});
