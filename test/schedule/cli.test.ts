// The fetch and status commands end to end: a real process, a real server, a real database file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, rss } from './serve.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, FEEDMIRROR_DATA: '', ...env } }, (err, stdout, stderr) => {
      ok({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('add (with discovery), fetch and status against a local server', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'fm-cli-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const now = Date.now();
  const s = await serve((req, res) => {
    if (req.url === '/') {
      res.setHeader('content-type', 'text/html');
      return res.end('<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>');
    }
    res.setHeader('content-type', 'application/rss+xml');
    res.end(rss('Local news', [1, 2, 3].map((i) => ({ title: `n${i}`, date: new Date(now - i * 3_600_000) }))));
  });
  t.after(() => s.close());
  // The allow-list comes from the config file: 127.0.0.1 is private and blocked otherwise.
  writeFileSync(join(data, 'feedmirror.json'), JSON.stringify({ allow: ['127.0.0.1'], perHostInterval: 0 }));

  const added = await cli(['add', `${s.url}/`, '--data', data, '--category', 'Local']);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, new RegExp(`found rss feed ${s.url}/feed.xml \\(announced by the page\\)`));
  assert.match(added.stdout, /added #1 Local news </);

  const fetched = await cli(['fetch', '--data', data]);
  assert.equal(fetched.code, 0, fetched.stderr);
  // Not a terminal: one JSON log line per feed, then the summary.
  const lines = fetched.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => l.msg), ['updated', 'cycle done']);
  assert.deepEqual([lines[0].status, lines[0].items, lines[0].url], [200, 3, `${s.url}/feed.xml`]);
  assert.deepEqual([lines[1].total, lines[1].updated, lines[1].errors], [1, 1, 0]);
  assert.deepEqual(s.hits, ['/', '/feed.xml', '/feed.xml']);

  const status = await cli(['status', '--json', '--data', data]);
  const rows = JSON.parse(status.stdout) as { id: number; items: number; lastStatus: number; nextCheck: string; lastError: string | null }[];
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].items, rows[0].lastStatus, rows[0].lastError], [3, 200, null]);
  assert.ok(Date.parse(rows[0].nextCheck) > now);
  // The environment overrides the file: without the allow-list the same fetch is refused.
  const blocked = await cli(['fetch', '--all', '--data', data], { FEEDMIRROR_ALLOW: '' });
  assert.equal(blocked.code, 1);
  const table = await cli(['status', '--data', data]);
  assert.match(table.stdout, /^id\s+site\s+last fetch\s+http\s+items\s+next check\s+last error\n/);
  assert.match(table.stdout, /\n#1\s+Local news\s+\d+\w* ago\s+-\s+3\s+in \S+\s+ssrf: blocked: 127.0.0.1 is a private address/);
  assert.equal(s.hits.length, 3);
});

test('bad input: a clear message and exit code 1, no stack trace', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'fm-cli-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  writeFileSync(join(data, 'feedmirror.json'), '{"allow": ');
  const r = await cli(['list', '--data', data]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^feedmirror list: config .* is not valid JSON/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
