// feedmirror run as a real process: archives what it can, reports each feed's
// error and keeps running; SIGINT and SIGTERM stop it cleanly with status 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import { addSubscription } from '../../src/subscribe/index.ts';
import { repo, serve, tree } from './helpers.ts';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`run: one feed archived, one failing feed reported, ${signal} exits 0`, async (t) => {
    const data = mkdtempSync(join(tmpdir(), 'fm-run-'));
    t.after(() => rmSync(data, { recursive: true, force: true }));
    const s = await serve((_req, res) => {
      res.setHeader('content-type', 'application/xml');
      res.end(readFileSync(join(repo, 'samples/rss.xml')));
    });
    t.after(() => s.close());
    writeFileSync(join(data, 'feedmirror.json'), JSON.stringify({ allow: ['127.0.0.1'], perHostInterval: 0 }));
    const dead = `http://127.0.0.1:${await closedPort()}/feed.xml`;
    const db = openStore(join(data, 'feedmirror.db'));
    addSubscription(db, `${s.url}/rss.xml`, { site: '示例新闻' });
    addSubscription(db, dead, { site: 'dead' });
    db.close();

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--data', data, '--port', '0'], { cwd: repo, env: { ...process.env, FEEDMIRROR_DATA: '' } });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { out += d; });
    const cycled = new Promise<void>((ok) => {
      child.stdout.on('data', (d: string) => {
        out += d;
        if (/cycle: 2 feeds/.test(out)) ok();
      });
    });
    const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
    await Promise.race([cycled, exited]);
    child.kill(signal);
    const code = await exited;
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`${dead.replace(/[.?]/g, '\\$&')}: \\w+: .+`));
    assert.match(out, /cycle: 2 feeds \(1 updated, 0 not modified, 1 failed\); 4 new, 0 updated items/);
    assert.match(out, new RegExp(`${signal}: finishing the writes in flight`));
    assert.match(out, /stopped\n$/);
    // Not the starter list: subscriptions existed already.
    assert.doesNotMatch(out, /first start/);
    assert.equal(tree(join(data, 'archive')).filter((f) => f.startsWith('articles/')).length, 4);
  });
}
