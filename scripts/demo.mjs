#!/usr/bin/env node
// The whole pipeline offline (`npm run demo`, which builds dist/ first): the
// sample feeds in samples/ (RSS, Atom, GBK-encoded RSS) served from 127.0.0.1,
// subscribed, fetched, cleaned and archived by `feedmirror once` into a fresh
// temporary data directory; then the archive's tree, a list and an item.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = join(ROOT, 'samples');
const FEEDS = [
  { file: 'rss.xml', site: '示例新闻' },
  { file: 'atom.xml', site: '範例新聞' },
  { file: 'gbk.xml', site: 'GBK示例' },
];

const server = createServer((req, res) => {
  const feed = FEEDS.find((f) => `/${f.file}` === req.url);
  if (!feed) {
    res.statusCode = 404;
    return res.end('not found');
  }
  // No charset: the GBK sample's own XML declaration names its encoding.
  res.setHeader('content-type', 'application/xml');
  res.end(readFileSync(join(SAMPLES, feed.file)));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;

const data = mkdtempSync(join(tmpdir(), 'feedmirror-demo-'));
// 127.0.0.1 is a private address the fetcher refuses unless allowed; the demo allows it.
writeFileSync(join(data, 'feedmirror.json'), JSON.stringify({ allow: ['127.0.0.1'], perHostInterval: 0, starter: false }, null, 2) + '\n');

/** The built CLI, as a user runs it (asynchronously: this process serves the feeds meanwhile). */
function feedmirror(args) {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/feedmirror.js'), ...args, '--data', data], {
      cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, FEEDMIRROR_DATA: '', FEEDMIRROR_CONFIG: '' },
    });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok() : fail(new Error(`feedmirror ${args[0]} failed with status ${code}`))));
  });
}

const say = (s) => process.stdout.write(process.stdout.isTTY ? `\n\x1b[1m${s}\x1b[0m\n` : `\n== ${s}\n`);
try {
  say(`Sample feeds served at ${base}/: ${FEEDS.map((f) => f.file).join(', ')}`);
  for (const f of FEEDS) await feedmirror(['add', `${base}/${f.file}`, '--site', f.site, '--no-discover']);
  say('feedmirror once');
  await feedmirror(['once']);
  say('feedmirror once (again: every item is a repeat, nothing is written)');
  await feedmirror(['once']);
  say('feedmirror sites');
  await feedmirror(['sites']);

  const archive = join(data, 'archive');
  say(`The archive: ${archive}`);
  const walk = (dir, prefix = '') => {
    const names = readdirSync(dir).sort();
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      process.stdout.write(`${prefix}${last ? '└── ' : '├── '}${name}\n`);
      if (statSync(join(dir, name)).isDirectory()) walk(join(dir, name), prefix + (last ? '    ' : '│   '));
    });
  };
  process.stdout.write('archive\n');
  walk(archive);

  const list = join(archive, 'lists', '示例新闻.md');
  say(`lists/示例新闻.md`);
  process.stdout.write(readFileSync(list, 'utf8') + '\n');
  const dir = join(archive, 'articles', 'GBK示例');
  const first = readdirSync(dir).sort().at(-1);
  say(`articles/GBK示例/${first} (from the GBK-encoded feed, stored as UTF-8)`);
  process.stdout.write(readFileSync(join(dir, first), 'utf8'));
  say('Done.');
  process.stdout.write(`Data directory (database, config, archive): ${data}\nThe archive is at ${archive}; look around, then remove it with: rm -r ${data}\n`);
} catch (e) {
  process.stderr.write(`demo failed: ${e.message}\n(data directory: ${data})\n`);
  process.exitCode = 1;
} finally {
  server.close();
}
