// Web reader benchmark: a 100,000-item archive (files and index rows written
// directly, as the mirror would leave them), served by the reader in its own
// process and loaded with wrk (Debian's): the item list (first page and a page
// deep in the archive, keyset) and random articles. Logged in, as a reader is.
// Results go to bench/results/reader.md.
//
//   npm run bench:reader                   (builds dist/ first)
//   node bench/reader.mjs --items 20000 --duration 5
//   node bench/reader.mjs --keep /tmp/fm-reader-100k   (generate once, reuse)
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateArchive, option, requireWrk, runWrk } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const args = process.argv.slice(2);
const arg = option;
const PASSWORD = 'bench reader password';

if (args[0] === '--serve') {
  // The server process: the data dir is argv[1].
  const { loadConfig } = await import(join(dist, 'config/index.js'));
  const { openStore } = await import(join(dist, 'store/index.js'));
  const { startServer } = await import(join(dist, 'server/index.js'));
  const config = loadConfig({ dataDir: args[1], env: {} });
  const db = openStore(config.dbPath);
  const server = await startServer(config, db, { port: 0, adminPassword: PASSWORD, log: () => {} });
  process.send({ url: server.url });
  process.on('message', async () => {
    await server.close();
    db.close();
    process.exit(0);
  });
} else {
  await main();
}

function generate(dir, count) {
  // Newest first in n; 5 minutes apart, so 100,000 items span about a year.
  const newest = Date.UTC(2026, 10, 1);
  return generateArchive({
    dir,
    count,
    time: (n) => newest - n * 300_000 - (n % 7) * 1000,
    body: (n, para) => `<p>${para(n)}</p><p>${para(n + 3)}</p><p>Item ${n}: ${'测试正文。'.repeat(40)}</p>`,
  });
}

function wrk(url, cookie, seconds, script) {
  const a = ['-t2', '-c32', `-d${seconds}s`, '--timeout', '10s', '--latency', '-H', `Cookie: ${cookie}`];
  if (script) a.push('-s', script);
  a.push(url);
  const { num, ...r } = runWrk(a);
  const ms = (s) => {
    if (!s) return NaN;
    const m = /^([\d.]+)(us|ms|s)$/.exec(s);
    return m ? Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 }[m[2]]) : NaN;
  };
  return {
    ...r,
    p50: ms(num(/\s50%\s+(\S+)/)),
    p75: ms(num(/\s75%\s+(\S+)/)),
    p90: ms(num(/\s90%\s+(\S+)/)),
    p99: ms(num(/\s99%\s+(\S+)/)),
  };
}

async function main() {
  const count = Number(arg('items', 100_000));
  const seconds = Number(arg('duration', 10));
  requireWrk();
  // --keep DIR: generate into DIR once and keep it (for repeated runs while tuning).
  const keep = arg('keep', undefined);
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'fm-bench-reader-'));
  let child;
  try {
    let genSeconds = 0;
    if (!keep || !existsSync(join(dir, 'feedmirror.db'))) {
      console.log(`generating ${count} items…`);
      genSeconds = await generate(dir, count);
      console.log(`generated in ${genSeconds.toFixed(1)} s`);
    }
    child = fork(fileURLToPath(import.meta.url), ['--serve', dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const { url } = await new Promise((ok, fail) => {
      child.once('message', ok);
      child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
    });
    const login = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ password: PASSWORD }), redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    if (!cookie.startsWith('fm_session=')) throw new Error(`login failed: HTTP ${login.status}`);
    // A cursor in the middle of the archive: the 50,000th item's.
    const mid = Math.floor(count / 2);
    const deep = `${url}/?before=${Date.UTC(2026, 10, 1) - mid * 300_000 - (mid % 7) * 1000}.${mid + 1}`;
    const check = await fetch(deep, { headers: { cookie } });
    const body = await check.text();
    if (check.status !== 200 || (body.match(/class="entry"/g) ?? []).length !== 30) throw new Error(`deep page: HTTP ${check.status}, ${(body.match(/class="entry"/g) ?? []).length} entries`);
    const script = join(dir, 'articles.lua');
    writeFileSync(script, `math.randomseed(42)\nrequest = function()\n  return wrk.format("GET", "/item/" .. math.random(1, ${count}))\nend\n`);
    // Warm-up: excerpts of the listed pages are cached on first sight, compiled code settles.
    for (const u of [`${url}/`, deep, `${url}/item/1`]) await (await fetch(u, { headers: { cookie } })).text();
    wrk(`${url}/`, cookie, 2);
    const runs = [
      ['Item list, first page (`/`)', wrk(`${url}/`, cookie, seconds)],
      [`Item list, page at item ${mid} (\`/?before=…\`)`, wrk(deep, cookie, seconds)],
      ['Article, random of all items (`/item/<id>`)', wrk(`${url}/`, cookie, seconds, script)],
    ];
    const rows = runs.map(([name, r]) => `| ${name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p75.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.requests} | ${r.non2xx} | ${r.socketErrors} |`);
    const cpu = cpus();
    const md = `# Web reader benchmark

\`npm run bench:reader\` (bench/reader.mjs): ${count.toLocaleString('en-US')} items over 20 sites, archive
files and index rows written directly (generation took ${genSeconds.toFixed(1)} s). The reader runs in its own
process (one Node.js thread); wrk (Debian) loads it with 2 threads and 32 connections for ${seconds} s per
page, logged in (each request looks up its session). Item-list pages show 30 items with excerpts (cached
per item after the first view); articles are read from their archive file, image-rewritten and
sanitized (256 most recent kept), so random articles are mostly cache misses.

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}, load average before the run
${loadavg().map((l) => l.toFixed(1)).join(' ')} (the machine is shared; numbers vary with the load).
Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.

| Page | Requests/s | p50 ms | p75 ms | p90 ms | p99 ms | Requests | Non-2xx | Socket errors |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Aim: at least 500 requests per second for the item list, zero errors.
`;
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'reader.md'), md);
    console.log(md);
    const errors = runs.some(([, r]) => r.non2xx > 0 || r.socketErrors !== 'none');
    if (errors) {
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
