// feedmirror api-password: a new API password from the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Credentials } from '../../src/api/index.ts';
import { openStore } from '../../src/store/index.ts';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const cli = (args: string[]) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
  execFile(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', timeout: 60_000 }, (e, out, err) =>
    resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }));
});

test('api-password prints a working password once; bad usernames are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-api-cli-'));
  try {
    const r = await cli(['api-password', '--data', dir, '--username', 'reader@example.org']);
    assert.equal(r.code, 0, r.err);
    const m = /^username: (\S+)\npassword: ([A-Za-z0-9]{24})\n$/.exec(r.out);
    assert.ok(m, r.out);
    const db = openStore(join(dir, 'feedmirror.db'));
    try {
      const creds = new Credentials(db);
      assert.equal(creds.check('reader@example.org', m[2])?.account, 'admin');
      assert.equal(creds.check('reader@example.org', 'wrong'), undefined);
      // Nothing in the database is the password itself.
      const row = JSON.stringify(db.prepare('SELECT * FROM api_credentials').all());
      assert.ok(!row.includes(m[2]));
    } finally {
      db.close();
    }
    const bad = await cli(['api-password', '--data', dir, '--username', 'a b']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /username/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
