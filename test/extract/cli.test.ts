import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runExtract, type ExtractCliOptions } from '../../src/cli/commands/extract.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/extract/fixtures');

type Run = { code: number; stdout: string; stderr: string };

/** Command-line words to options, as commander would make them (the spawned test checks commander itself). */
function options(args: string[]): [string, ExtractCliOptions] {
  const o: Record<string, unknown> = {};
  let source = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) { source = a; continue; }
    const key = a.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    if (key === 'json') o.json = true;
    else if (key === 'allow') o.allow = [args[++i]];
    else o[key] = args[++i];
  }
  return [source, o as unknown as ExtractCliOptions];
}

/** The command in this process (a process per case would cost seconds each). */
async function cli(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const [source, o] = options(args);
  const code = await runExtract(source, o, { out: (s) => { stdout += s; }, err: (s) => { stderr += s; } });
  return { code, stdout, stderr };
}

/** The real command line, as a user runs it. */
function spawnCli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'extract', ...args], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let server: Server;
let base = '';
before(async () => {
  const gbk = readFileSync(join(fixtures, 'br-layout-gbk.html'));
  const page2 = Buffer.from(new TextDecoder('gbk').decode(gbk).replace(/昨日上午/, '第二页开头').replace(/演练模拟了/, '第二页中间').replace(/市防汛办负责人/, '第二页结尾').replace(/<a href="[^"]+">下一页<\/a>/, ''), 'utf8');
  server = createServer((req, res) => {
    if (req.url === '/local/2023/0601/123.html') { res.writeHead(200, { 'content-type': 'text/html; charset=gb2312' }); res.end(gbk); return; }
    if (req.url === '/local/2023/0601/123_2.html') { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end(page2); return; }
    res.writeHead(404); res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('file with --url: metadata, HTML and text (the real binary)', async () => {
  const r = await spawnCli(join(fixtures, 'news-sina.html'), '--url', 'https://news.sina.com.cn/c/2024-05-16/doc-x.shtml');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Title: 青岛市举办海洋科技成果展 百余项新技术亮相\n/);
  assert.match(r.stdout, /\nByline: 新京报\n/);
  assert.match(r.stdout, /\nPublished: 2024-05-16T09:02:38\.000Z\n/);
  assert.match(r.stdout, /\nLead image: https:\/\/n\.sinaimg\.cn\/news\/transform\/20240516\/ocean\.jpg\n/);
  assert.match(r.stdout, /--- HTML ---\n<div><div class="article" id="article">/);
  assert.match(r.stdout, /--- Text ---\n[^]*\n记者在现场看到/);
});

test('--json on a GB2312 file', async () => {
  const r = await cli(join(fixtures, 'br-layout-gbk.html'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.equal(a.title, '我市启动夏季防汛演练');
  assert.equal(a.published, '2023-06-01T01:30:00.000Z');
  assert.equal(a.publishedMs, Date.parse('2023-06-01T01:30:00Z'));
  assert.equal(a.text.split('\n').length, 3);
  assert.equal(a.lang, 'zh');
});

test('URL: fetched through the project fetcher, charset from the header, pages joined', async () => {
  const r = await cli(`${base}/local/2023/0601/123.html`, '--json', '--allow', '127.0.0.1');
  assert.equal(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.deepEqual(a.pages, [`${base}/local/2023/0601/123.html`, `${base}/local/2023/0601/123_2.html`]);
  assert.deepEqual(a.text.split('\n').map((l: string) => l.slice(0, 4)), ['昨日上午', '演练模拟', '市防汛办', '第二页开', '第二页中', '第二页结']);
});

test('URL on a private address without --allow: refused by the SSRF guard', async () => {
  const r = await cli(`${base}/local/2023/0601/123.html`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^feedmirror extract: /);
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');
});

test('bad input: missing file, bad --url, bad numbers; errors are one line', async () => {
  const missing = await cli(join(fixtures, 'nope.html'));
  const badUrl = await cli(join(fixtures, 'news-sina.html'), '--url', 'not a url');
  const badN = await cli(`${base}/x`, '--max-pages', 'many');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^feedmirror extract: .*ENOENT/);
  assert.equal(badUrl.code, 1);
  assert.match(badUrl.stderr, /--url is not a URL/);
  assert.equal(badN.code, 1);
  assert.match(badN.stderr, /--max-pages must be a positive number/);
});

test('--rules: a rule directory changes the result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-cli-rules-'));
  try {
    writeFileSync(join(dir, 'news.sina.com.cn.txt'), 'title: //div[@class="date-source"]/a\nbody: //div[@id="article"]/p[1]\n');
    writeFileSync(join(dir, 'bad.json'), '{');
    const r = await cli(join(fixtures, 'news-sina.html'), '--url', 'https://news.sina.com.cn/c/x.shtml', '--rules', dir, '--json');
    assert.equal(r.code, 0, r.stderr);
    const a = JSON.parse(r.stdout);
    assert.equal(a.title, '新京报');
    assert.equal(a.text.split('\n').length, 1);
    assert.match(r.stderr, /rule skipped: bad\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
