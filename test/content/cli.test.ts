// `feedmirror clean` run as a real process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runClean } from '../../src/cli/commands/clean.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function run(args: string[], input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'clean', ...args], { input, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'fm-clean-'));
const file = join(dir, 'in.html');
const html = '<p onclick="x()">Hi <a href="/a?utm_source=rss&amp;id=1">link</a><img src="/i.jpg"></p>\n<br><hr><div>获取更多RSS：<a href="https://feedx.net">feedx</a></div>';
writeFileSync(file, html);

test('clean: a file through every step, with a base URL and an image template', () => {
  const r = run([file, '--url', 'https://news.example/x/1.html', '--images-template', 'https://images.weserv.nl?url={url_noscheme}']);
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  assert.equal(r.out, '<p>Hi <a href="https://news.example/a?id=1" rel="noopener noreferrer">link</a><img src="https://images.weserv.nl?url=news.example/i.jpg" /></p>');
});

test('clean: stdin, --no-sanitize keeps the handler (pre-sanitizer stages only), --steps none is byte for byte', () => {
  const r = run(['-', '--no-sanitize'], html);
  assert.equal(r.code, 0);
  assert.equal(r.out, '<p onclick="x()">Hi <a href="/a?id=1">link</a><img src="/i.jpg"></p>');
  assert.equal(run(['-', '--steps', 'none'], html).out, html);
});

test('clean: bad input is one clear line on stderr and exit code 2', () => {
  const bad = run([file, '--url', 'javascript:alert(1)']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^feedmirror clean: --url must be an absolute http\(s\) URL/);
});

test('clean: the other bad inputs, in process (exit code 2, nothing printed)', async () => {
  const sink = new PassThrough();
  let printed = '';
  sink.on('data', (d: Buffer) => (printed += d.toString()));
  const errors: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (errors.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await runClean(join(dir, 'nope.html'), {}, sink), 2);
    assert.equal(await runClean(file, { imagesTemplate: 'https://x.example/' }, sink), 2);
    assert.equal(await runClean(file, { steps: 'urls,bogus' }, sink), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(printed, '');
  assert.match(errors[0], /^feedmirror clean: cannot read .*nope\.html/);
  assert.match(errors[1], /image template needs one of/);
  assert.match(errors[2], /unknown step "bogus"/);
});
