// `feedmirror parse` end to end: a real process, real files and stdin.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const CORPUS = join(ROOT, '../shared/corpus/feeds');

function run(args: string[], stdin?: Uint8Array): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'parse', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

// Each case spawns a process; they run side by side.
describe('feedmirror parse', { concurrency: true }, () => {
  test('a corpus feed prints as JSON Feed 1.1 with _feedmirror extensions', async () => {
    const r = await run([join(CORPUS, 'rsparser__DaringFireball.rss')]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.version, 'https://jsonfeed.org/version/1.1');
    assert.equal(j.title, 'Daring Fireball');
    assert.equal(j.home_page_url, 'http://daringfireball.net/');
    assert.ok(Array.isArray(j.items) && j.items.length > 0);
    const it = j.items[0];
    assert.equal(typeof it.id, 'string');
    assert.match(it.url, /^http:\/\//);
    assert.equal(typeof it.title, 'string');
    assert.ok(typeof it.content_html === 'string' || typeof it.content_text === 'string');
    assert.match(it.date_published, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    assert.equal(it._feedmirror.guid, it.id);
    assert.equal(j._feedmirror.format, 'atom10');
    assert.equal(j._feedmirror.encoding, 'utf-8');
    assert.equal(j._feedmirror.bozo, false);
    assert.equal(j._feedmirror.bozo_reason, null);
    // Pretty-printed with two spaces, as documented.
    assert.ok(r.stdout.startsWith('{\n  "version": '));
  });

  test('stdin, --url as the base, --content-type charset', async () => {
    const xml = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title><link>/</link>' +
      '<item><title>caf\xe9</title><link>/a/1.html</link><guid isPermaLink="false">x1</guid></item></channel></rss>';
    const latin1 = Buffer.from(xml, 'latin1');
    const r = await run(['-', '--url', 'https://example.com/feed.xml', '--content-type', 'application/rss+xml; charset=iso-8859-1'], latin1);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.home_page_url, 'https://example.com/');
    assert.equal(j.items[0].url, 'https://example.com/a/1.html');
    assert.equal(j.items[0].title, 'café', 'the HTTP charset wins over the XML declaration');
    assert.equal(j.items[0].id, 'x1');
    assert.equal(j._feedmirror.encoding, 'windows-1252');
  });

  test('a broken feed still prints (bozo) and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fm-parse-'));
    try {
      const f = join(dir, 'broken.xml');
      writeFileSync(f, '<rss version="2.0"><channel><title>B &amp; B</title><item><title>one & two</title><link>https://e.example/1</link></item>');
      const r = await run([f]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j._feedmirror.bozo, true);
      assert.equal(typeof j._feedmirror.bozo_reason, 'string');
      assert.ok(j._feedmirror.bozo_reason.length > 0);
      assert.equal(j.items.length, 1);
      assert.equal(j.items[0].title, 'one & two');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing file: one line on stderr, exit 1, nothing on stdout', async () => {
    const r = await run(['/nonexistent/feed.xml']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /cannot read \/nonexistent\/feed\.xml: no such file/);
  });

  test('a directory and a bad --url are clear errors too', async () => {
    const d = await run([CORPUS]);
    assert.equal(d.code, 1);
    assert.match(d.stderr, /is a directory/);
    const u = await run([join(CORPUS, 'rsparser__DaringFireball.rss'), '--url', 'not a url']);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /--url must be an absolute URL/);
    assert.equal(u.stderr.trim().split('\n').length, 1);
  });

  test('binary garbage is not a crash', async () => {
    const junk = new Uint8Array(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) & 0xff;
    const r = await run(['-'], junk);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j._feedmirror.bozo, true);
    assert.deepEqual(j.items, []);
  });
});
