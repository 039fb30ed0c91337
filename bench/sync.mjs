// Sync API benchmark: a 100,000-item archive (files and index rows written
// directly, as the mirror would leave them; 20 subscriptions; 90% of items
// read), the sync APIs in their own process, loaded with wrk (Debian's):
// Google Reader stream contents (first page and deep continuation) and unread
// ids, Fever items and unread ids, Miniflux entries. Requests per second and
// latency percentiles (p95 from wrk's own histogram) go to bench/results/sync.md.
//
//   npm run bench:sync                      (builds dist/ first)
//   node bench/sync.mjs --items 20000 --duration 3
//   node bench/sync.mjs --keep /tmp/fm-sync-100k   (generate once, reuse)
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateArchive, option, requireWrk, runWrk } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const args = process.argv.slice(2);
const arg = option;
const SITES = 20;

if (args[0] === '--serve') {
  // The server process: the data dir is argv[1].
  const { default: Fastify } = await import('fastify');
  const { loadConfig } = await import(join(dist, 'config/index.js'));
  const { openStore } = await import(join(dist, 'store/index.js'));
  const { archiveRoot } = await import(join(dist, 'mirror/index.js'));
  const { registerSyncApis } = await import(join(dist, 'api/index.js'));
  const config = loadConfig({ dataDir: args[1], env: {} });
  const db = openStore(config.dbPath);
  const app = Fastify({ logger: false });
  const { credentials } = await registerSyncApis(app, { db, root: archiveRoot(config), log: (l) => console.error(l) });
  const { username, password } = credentials.rotate();
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.send({ url: `http://127.0.0.1:${app.server.address().port}`, username, password });
  process.on('message', async () => {
    await app.close();
    db.close();
    process.exit(0);
  });
} else {
  await main();
}

function generate(dir, count) {
  // Oldest first, as the mirror adds them: ids follow the crawl order.
  const oldest = Date.UTC(2025, 10, 1);
  return generateArchive({
    dir,
    count,
    sites: SITES,
    subscribe: true,
    time: (n) => oldest + n * 300_000 + (n % 7) * 1000,
    body: (n, para) => `<p>${para(n)}</p><p><img src="https://gdb.voanews.com/${n}.jpg"></p><p>Item ${n}: ${'测试正文。'.repeat(40)}</p>`,
    finish: (db) => {
      // 90% read: the newest tenth of every site stays unread, as after months of reading.
      db.prepare('UPDATE item_state SET read = 1 WHERE item_id <= ?').run(Math.floor(count * 0.9));
      db.prepare('UPDATE item_state SET starred = 1 WHERE item_id % 97 = 0').run();
    },
  });
}

function wrk(url, seconds, script) {
  const { num, ...r } = runWrk(['-t2', '-c16', `-d${seconds}s`, '--timeout', '10s', '-s', script, url]);
  return {
    ...r,
    p50: Number(num(/^p50 (\d+)/m)) / 1000,
    p95: Number(num(/^p95 (\d+)/m)) / 1000,
    p99: Number(num(/^p99 (\d+)/m)) / 1000,
  };
}

/** A wrk script: method, headers, body, and the percentiles printed at the end (µs). */
function script(dir, name, { method = 'GET', headers = {}, body } = {}) {
  const lua = [
    `wrk.method = "${method}"`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers["${k}"] = "${v}"`),
    body ? `wrk.body = "${body}"` : '',
    'done = function(summary, latency, requests)',
    '  for _, p in pairs({50, 95, 99}) do io.write(string.format("p%d %d\\n", p, latency:percentile(p))) end',
    'end',
  ].join('\n');
  const file = join(dir, `${name}.lua`);
  writeFileSync(file, lua);
  return file;
}

async function main() {
  const count = Number(arg('items', 100_000));
  const seconds = Number(arg('duration', 5));
  requireWrk();
  const keep = arg('keep', undefined);
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'fm-bench-sync-'));
  let child;
  try {
    let genSeconds = 0;
    if (!keep || !existsSync(join(dir, 'feedmirror.db'))) {
      console.log(`generating ${count} items…`);
      genSeconds = await generate(dir, count);
      writeFileSync(join(dir, 'generated-seconds'), String(genSeconds));
      console.log(`generated in ${genSeconds.toFixed(1)} s`);
    } else if (existsSync(join(dir, 'generated-seconds'))) {
      genSeconds = Number(readFileSync(join(dir, 'generated-seconds'), 'utf8'));
    }
    child = fork(fileURLToPath(import.meta.url), ['--serve', dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const { url, username, password } = await new Promise((ok, fail) => {
      child.once('message', ok);
      child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
    });
    const login = await fetch(`${url}/accounts/ClientLogin`, { method: 'POST', body: new URLSearchParams({ Email: username, Passwd: password }) });
    const auth = /Auth=(\S+)/.exec(await login.text())?.[1];
    if (!auth) throw new Error(`ClientLogin failed: HTTP ${login.status}`);
    const feverKey = createHash('md5').update(`${username}:${password}`).digest('hex');
    const g = { headers: { Authorization: `GoogleLogin auth=${auth}` } };
    const m = { headers: { 'X-Auth-Token': password } };
    const f = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `api_key=${feverKey}` };
    const RL = 'user/-/state/com.google/reading-list';
    const XT = 'xt=user/-/state/com.google/read';
    const mid = Math.floor(count / 2);
    const unread = count - Math.floor(count * 0.9);
    // Unread ids are those above 90% of the count; a continuation c asks for those below c.
    const cont = count - unread / 2;
    const unreadBelow = (c) => Math.min(1000, c - 1 - Math.floor(count * 0.9));
    const cases = [
      ['Google Reader: stream/contents, reading list, newest 50 unread', `${url}/reader/api/0/stream/contents/${RL}?n=50&${XT}`, g, 50],
      [`Google Reader: stream/contents, 50 items from continuation ${mid}`, `${url}/reader/api/0/stream/contents/${RL}?n=50&c=${mid}`, g, 50],
      ['Google Reader: stream/contents, one feed, newest 50', `${url}/reader/api/0/stream/contents/feed/3?n=50`, g, 50],
      // n=1000 is what NetNewsWire and Reeder ask for, following the continuation.
      ['Google Reader: stream/items/ids, unread, n=1000', `${url}/reader/api/0/stream/items/ids?s=${RL}&${XT}&n=1000`, g, Math.min(1000, unread)],
      [`Google Reader: stream/items/ids, unread, n=1000 from continuation ${cont}`, `${url}/reader/api/0/stream/items/ids?s=${RL}&${XT}&n=1000&c=${cont}`, g, unreadBelow(cont)],
      ['Google Reader: unread-count', `${url}/reader/api/0/unread-count?output=json`, g, undefined],
      [`Fever: items since_id=${mid} (50)`, `${url}/fever/?api&items&since_id=${mid}`, f, 50],
      [`Fever: unread_item_ids (${unread})`, `${url}/fever/?api&unread_item_ids`, f, unread],
      ['Miniflux: /v1/entries?status=unread&limit=100 (with total)', `${url}/v1/entries?status=unread&limit=100&order=id&direction=desc`, m, 100],
      [`Miniflux: /v1/entries?after_entry_id=${mid}&limit=100`, `${url}/v1/entries?after_entry_id=${mid}&limit=100&order=id&direction=asc`, m, 100],
    ];
    // Check each answer once (and warm the caches a client would warm).
    for (const [name, u, opt, expect] of cases) {
      const r = await fetch(u, { method: opt.method ?? 'GET', headers: opt.headers, body: opt.body });
      const j = await r.json();
      const n = j.items?.length ?? j.itemRefs?.length ?? j.entries?.length ?? (typeof j.unread_item_ids === 'string' ? j.unread_item_ids.split(',').length : undefined);
      if (r.status !== 200 || (expect !== undefined && n !== expect)) throw new Error(`${name}: HTTP ${r.status}, ${n} results, expected ${expect}`);
    }
    const runs = cases.map(([name, u, opt], i) => [name, wrk(u, seconds, script(dir, `case${i}`, opt))]);
    const rows = runs.map(([name, r]) => `| ${name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.requests} | ${r.non2xx} | ${r.socketErrors} |`);
    const cpu = cpus();
    const md = `# Sync API benchmark

\`npm run bench:sync\` (bench/sync.mjs): ${count.toLocaleString('en-US')} items over ${SITES} subscriptions, archive files and
index rows written directly (generation took ${genSeconds.toFixed(1)} s); 90% of the items read
(${unread.toLocaleString('en-US')} unread), every 97th starred. The APIs run in their own process (one Node.js thread,
Fastify, better-sqlite3); wrk (Debian) loads each request with 2 threads and 16 connections for ${seconds} s.
Item content is read from the archive file, image-rewritten and sanitized, and kept (2,000 items) by
content hash, so repeated pages are cache hits, as a client paging forward sees after the first sync.
Latency in milliseconds; p95 and p99 from wrk's latency histogram.

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}, load average before the run
${loadavg().map((l) => l.toFixed(1)).join(' ')} (the machine is shared; numbers vary with the load).
Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.

| Request | Requests/s | p50 ms | p95 ms | p99 ms | Requests | Non-2xx | Socket errors |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}
`;
    // Only the full-size run is recorded; smaller ones are for trying things out.
    if (count >= 100_000) {
      mkdirSync(join(here, 'results'), { recursive: true });
      writeFileSync(join(here, 'results', 'sync.md'), md);
    }
    console.log(md);
    if (runs.some(([, r]) => r.non2xx > 0 || r.socketErrors !== 'none')) {
      for (const [name, r] of runs) console.error(`${name}\n${r.raw}`);
      process.exitCode = 1;
    }
  } finally {
    if (child?.connected) {
      child.send('stop');
      await new Promise((ok) => child.once('exit', ok));
    }
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
