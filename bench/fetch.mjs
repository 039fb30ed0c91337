// Fetch-cycle benchmark: 5,000 feeds spread over 50 loopback hosts
// (127.0.0.1-127.0.0.50), served by a separate process that waits 50-150 ms
// before answering and answers half of the conditional requests with 304.
// Three runs, each in a fresh process (so VmHWM is per run) with a fresh
// database; medians are written to bench/results/fetch.md.
//
//   npm run bench:fetch            (builds dist/ first)
//   node bench/fetch.mjs --feeds 1000 --runs 1
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => Number(option(name, fallback));
const HOSTS = 50;
const FEEDS = arg('feeds', 5000);
const RUNS = arg('runs', 3);
const CONCURRENCY = arg('concurrency', 64);
const PER_HOST = arg('per-host', 2);

/** A 20-item RSS feed of about 30 KB, the median size of the real corpus. */
function feedXml(n, round) {
  const now = Date.now();
  const para = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. '.repeat(10);
  const items = Array.from({ length: 20 }, (_, i) => `<item><title>Feed ${n} item ${i} round ${round} &amp; more</title>` +
    `<link>https://site${n % HOSTS}.example/posts/${n}-${i}</link><guid isPermaLink="false">${n}-${i}-${round}</guid>` +
    `<pubDate>${new Date(now - i * 3_600_000).toUTCString()}</pubDate><description><![CDATA[<p>${para}</p>]]></description></item>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Bench feed ${n}</title>` +
    `<link>https://site${n % HOSTS}.example/</link><description>benchmark</description><ttl>60</ttl>\n${items}\n</channel></rss>\n`;
}

async function server() {
  const bodies = new Map();
  const handler = (req, res) => {
    const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
    setTimeout(() => {
      if (!m) {
        res.statusCode = 404;
        return res.end();
      }
      const n = Number(m[1]);
      // Even feeds have not changed since the validators the database holds.
      if (n % 2 === 0 && req.headers['if-none-match'] === `"e${n}"`) {
        res.statusCode = 304;
        res.setHeader('etag', `"e${n}"`);
        return res.end();
      }
      let body = bodies.get(n);
      if (!body) bodies.set(n, (body = Buffer.from(feedXml(n, 2))));
      res.setHeader('content-type', 'application/rss+xml; charset=utf-8');
      res.setHeader('etag', `"e${n}-2"`);
      res.end(body);
    }, 50 + Math.random() * 100);
  };
  let port = 0;
  for (let h = 1; h <= HOSTS; h++) {
    const s = createServer({ keepAliveTimeout: 30_000 }, handler);
    await new Promise((ok, fail) => {
      s.once('error', fail);
      s.listen(port, `127.0.0.${h}`, ok);
    });
    port = s.address().port;
  }
  process.send({ port });
}

async function run(port) {
  const dist = join(here, '..', 'dist');
  const { openStore } = await import(join(dist, 'store', 'index.js'));
  const { addSubscription } = await import(join(dist, 'subscribe', 'index.js'));
  const { runCycle } = await import(join(dist, 'schedule', 'index.js'));
  const { Fetcher } = await import(join(dist, 'fetch', 'index.js'));
  const dir = mkdtempSync(join(tmpdir(), 'fm-bench-fetch-'));
  try {
    const db = openStore(join(dir, 'feedmirror.db'));
    db.transaction(() => {
      for (let n = 0; n < FEEDS; n++) {
        const s = addSubscription(db, `http://127.0.0.${(n % HOSTS) + 1}:${port}/feed/${n}.xml`, { site: `feed ${n}` });
        // As if fetched before: the validators of the previous round.
        db.prepare('UPDATE feeds SET etag = ? WHERE id = ?').run(`"e${n}"`, s.feedId);
      }
    })();
    const fetcher = new Fetcher({ allow: ['127.0.0.0/8'], concurrency: CONCURRENCY, perHostConcurrency: PER_HOST, perHostIntervalMs: 0 });
    const times = [];
    const work = [];
    const cpu0 = process.cpuUsage();
    const summary = await runCycle(db, fetcher, { concurrency: CONCURRENCY, onProgress: (r) => {
      times.push(r.ms);
      work.push(r.workMs);
    } });
    const cpu = process.cpuUsage(cpu0);
    await fetcher.close();
    db.close();
    times.sort((a, b) => a - b);
    work.sort((a, b) => a - b);
    const q = (p, xs = times) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    process.send({
      feeds: summary.total, updated: summary.updated, notModified: summary.notModified, errors: summary.errors, items: summary.items,
      seconds: summary.elapsedMs / 1000, perSecond: summary.total / (summary.elapsedMs / 1000), p50: q(0.5), p95: q(0.95), work50: q(0.5, work), work95: q(0.95, work), hwmMB: hwm, cpuSeconds: (cpu.user + cpu.system) / 1e6,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function child(mode, extra = []) {
  return fork(fileURLToPath(import.meta.url), [mode, ...extra, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const load = loadavg()[0];
  const srv = child('--serve');
  const { port } = await new Promise((ok, fail) => {
    srv.once('message', ok);
    srv.once('exit', (code) => fail(new Error(`server exited (${code})`)));
  });
  const results = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const r = child('--run', [String(port)]);
      const result = await new Promise((ok, fail) => {
        r.once('message', ok);
        r.once('exit', (code) => fail(new Error(`run exited (${code})`)));
      });
      results.push(result);
      console.log(`run ${i + 1}: ${result.feeds} feeds in ${result.seconds.toFixed(2)} s = ${result.perSecond.toFixed(0)} feeds/s; ` +
        `${result.updated} updated, ${result.notModified} not modified, ${result.errors} errors; per feed p50 ${result.p50} ms, p95 ${result.p95} ms (without queue wait ${result.work50} / ${result.work95} ms); VmHWM ${result.hwmMB.toFixed(0)} MB; cycle CPU ${result.cpuSeconds.toFixed(1)} s`);
    }
  } finally {
    srv.kill();
  }
  const m = (k) => median(results.map((r) => r[k]));
  const lines = [
    '# Fetch cycle benchmark',
    '',
    `${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} CPUs shared with other work (load average ${load.toFixed(1)} at the start), \`npm run bench:fetch\`.`,
    '',
    `${FEEDS} feeds on ${HOSTS} loopback hosts (127.0.0.1-127.0.0.${HOSTS}), served by a separate process that waits 50-150 ms before each answer;`,
    'every feed holds an ETag from a previous round, even feeds answer 304, odd feeds send a new 20-item RSS document (~30 KB) that is parsed.',
    `Fetcher: concurrency ${CONCURRENCY}, ${PER_HOST} per host (the defaults), no minimum gap between two requests to a host (the default 1 s would cap 50 hosts at 50 feeds/s); cycle concurrency ${CONCURRENCY}. Fresh process and database per run.`,
    '',
    `| run | feeds/s | p50 per feed (ms) | p95 per feed (ms) | p50 / p95 without queue wait (ms) | 304 | 200 parsed | errors | VmHWM (MB) | cycle CPU (s) |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r, i) => `| ${i + 1} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p95} | ${r.work50} / ${r.work95} | ${r.notModified} | ${r.updated} | ${r.errors} | ${r.hwmMB.toFixed(0)} | ${r.cpuSeconds.toFixed(1)} |`),
    `| **median** | **${m('perSecond').toFixed(0)}** | **${m('p50')}** | **${m('p95')}** | **${m('work50')} / ${m('work95')}** | | | | **${m('hwmMB').toFixed(0)}** | **${m('cpuSeconds').toFixed(1)}** |`,
    '',
    'Per-feed time: from the start of its fetch (including the wait for a turn in the fetcher queues) to its state being stored;',
    '"without queue wait": the request itself (50-150 ms of it injected) plus parse and store.',
    'Targets: >= 150 feeds/s, < 300 MB.',
    '',
  ];
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'fetch.md'), lines.join('\n'));
  console.log(`median: ${m('perSecond').toFixed(0)} feeds/s, p50 ${m('p50')} ms, p95 ${m('p95')} ms, VmHWM ${m('hwmMB').toFixed(0)} MB -> bench/results/fetch.md`);
}

if (args[0] === '--serve') await server();
else if (args[0] === '--run') await run(Number(args[1]));
else await main();
