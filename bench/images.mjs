// Image proxy benchmark: cached requests per second through the real handler.
// An origin on 127.0.0.1 serves JPEG-like images; the proxy handler runs on a
// node:http server on 127.0.0.1 with its disk cache warmed (every image fetched
// once); then wrk (Debian's `wrk`; autocannon from npm as a fallback) loads the
// signed URLs round robin. The origin counts requests: a cached request costs none.
// Results go to bench/results/images.md.
//
//   npm run bench:images                         (builds dist/ first)
//   node bench/images.mjs --seconds 10 --connections 32
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fetcher } from '../dist/fetch/index.js';
import { createImageProxy, nodeImageHandler, signImageUrl } from '../dist/content/index.js';
import { option } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => Number(option(name, fallback));
const SECONDS = arg('seconds', 10);
const CONNECTIONS = arg('connections', 32);
const SECRET = 'bench-secret-0123456789abcdef';

/** A JPEG-like body of n bytes: the proxy checks the magic bytes, not the pixels. */
function jpeg(n, seed) {
  const b = Buffer.alloc(n, seed & 255);
  b.set([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
  b.set([0xff, 0xd9], n - 2);
  return b;
}

const listen = (server) => new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));

function haveWrk() {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

async function runWrk(base, paths, dir) {
  const script = join(dir, 'paths.lua');
  writeFileSync(script, `local paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\":%d,\\"seconds\\":%f,\\"p50\\":%f,\\"p90\\":%f,\\"p99\\":%f,\\"max\\":%f,\\"bytes\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"timeout\\":%d,\\"status\\":%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end
`);
  // Asynchronously: the proxy under load runs on this process's event loop.
  const { stdout: out } = await promisify(execFile)('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', script, base], { encoding: 'utf8' });
  const j = JSON.parse(/^JSON (.*)$/m.exec(out)[1]);
  return {
    tool: 'wrk', requests: j.requests, rps: j.requests / j.seconds, p50: j.p50, p90: j.p90, p99: j.p99, max: j.max,
    mbps: j.bytes / j.seconds / 1048576, errors: j.connect + j.read + j.write + j.timeout, non2xx: j.status, raw: out,
  };
}

async function runAutocannon(base, paths) {
  let autocannon;
  try {
    autocannon = (await import('autocannon')).default;
  } catch {
    throw new Error('no load generator: apt-get install -y wrk (or npm install autocannon)');
  }
  const r = await autocannon({ url: base, connections: CONNECTIONS, duration: SECONDS, requests: paths.map((path) => ({ method: 'GET', path })) });
  return {
    tool: 'autocannon', requests: r.requests.total, rps: r.requests.average, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max,
    mbps: r.throughput.average / 1048576, errors: r.errors + r.timeouts, non2xx: r.non2xx, raw: '',
  };
}

async function scenario(name, sizes, dir) {
  const bodies = sizes.map((n, i) => jpeg(n, i));
  let originRequests = 0;
  const origin = createServer((req, res) => {
    originRequests++;
    const body = bodies[Number(/\/(\d+)\.jpg$/.exec(req.url ?? '')?.[1] ?? -1)];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  });
  const originPort = await listen(origin);
  const fetcher = new Fetcher({ allow: ['127.0.0.1'], proxy: '', perHostIntervalMs: 0, perHostConcurrency: 8 });
  const proxy = createImageProxy({ secret: SECRET, fetcher, cacheDir: join(dir, name), cacheMaxBytes: 256 << 20 });
  const server = createServer(nodeImageHandler(proxy));
  server.keepAliveTimeout = 30_000;
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}`;
  const paths = bodies.map((_, i) => signImageUrl(`http://127.0.0.1:${originPort}/${i}.jpg`, SECRET));

  // Warm the cache: every image fetched from the origin once.
  for (const p of paths) {
    const r = await fetch(base + p);
    const b = Buffer.from(await r.arrayBuffer());
    if (r.status !== 200 || r.headers.get('content-type') !== 'image/jpeg') throw new Error(`warm-up: ${r.status} for ${p}`);
    if (!bodies.some((x) => x.equals(b))) throw new Error('warm-up: body differs from the origin');
  }
  const warm = originRequests;
  const cpu0 = process.cpuUsage();
  const result = haveWrk() ? await runWrk(base, paths, dir) : await runAutocannon(base, paths);
  const cpu = process.cpuUsage(cpu0);
  result.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  result.perCpuSecond = result.requests / result.cpuSeconds;
  result.originDuringLoad = originRequests - warm;
  result.warm = warm;
  result.images = sizes.length;
  result.avgKiB = sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024;
  await new Promise((ok) => server.close(ok));
  server.closeAllConnections?.();
  await new Promise((ok) => origin.close(ok));
  await fetcher.close();
  return { name, ...result };
}

const dir = mkdtempSync(join(tmpdir(), 'fm-bench-images-'));
const results = [];
try {
  // News images: 20 of 20-120 KB; then one 2 KB icon, which measures the per-request cost.
  results.push(await scenario('news-images', Array.from({ length: 20 }, (_, i) => 20_480 + ((i * 37) % 21) * 5_120), dir));
  results.push(await scenario('small-icon', [2_048], dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const load = loadavg().map((x) => x.toFixed(1)).join(' ');
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
for (const r of results) {
  console.log(`${r.name}: ${f(r.rps, 0)} req/s (${f(r.perCpuSecond, 0)} per proxy CPU-second), p50 ${f(r.p50, 2)} ms, p99 ${f(r.p99, 2)} ms, ` +
    `${f(r.mbps)} MiB/s, errors ${r.errors}, non-2xx ${r.non2xx}, origin requests during load ${r.originDuringLoad}`);
}
const ok = results.every((r) => r.requests > 0 && r.errors === 0 && r.non2xx === 0 && r.originDuringLoad === 0);
const md = `# Image proxy benchmark (\`npm run bench:images\`)

Cached requests through the image proxy handler (\`createImageProxy\` behind \`nodeImageHandler\`
on a node:http server on 127.0.0.1), disk cache warmed by fetching every image once from an
origin on 127.0.0.1. Load: ${results[0].tool}, 1 thread, ${CONNECTIONS} keep-alive connections, ${SECONDS} s per scenario,
the signed URLs requested round robin. Every response is checked by the load generator's
status count; the origin counts requests, so "origin requests during load" = 0 means every
request was a cache hit (the handler reads the cache file, checks its header and magic bytes,
and serves it with its ETag).

Run ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'},
load average ${load} (the machine is shared: the per-CPU-second figure is the steadier one).

| scenario | images (avg size) | requests | req/s | req per proxy CPU-second | p50 ms | p90 ms | p99 ms | max ms | MiB/s | errors | non-2xx | origin requests during load |
| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |
${results.map((r) => `| ${r.name} | ${r.images} (${f(r.avgKiB)} KiB) | ${r.requests} | ${f(r.rps, 0)} | ${f(r.perCpuSecond, 0)} | ${f(r.p50, 2)} | ${f(r.p90, 2)} | ${f(r.p99, 2)} | ${f(r.max, 1)} | ${f(r.mbps)} | ${r.errors} | ${r.non2xx} | ${r.originDuringLoad} |`).join('\n')}

${ok ? 'Zero errors, zero non-2xx responses, zero origin requests under load.' : '**Errors, non-2xx responses or origin requests under load: see above.**'}
`;
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'images.md'), md);
console.log(`written bench/results/images.md${ok ? '' : ' (with errors)'}`);
if (!ok) process.exitCode = 1;
