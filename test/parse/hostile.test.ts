// Hostile documents: each must finish in bounded time and memory, never read anything outside
// the document, and never throw. The time bounds are generous safety nets (a hang fails), not
// benchmarks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseFeed, type Feed } from '../../src/parse/index.ts';
import { toJsonFeed } from '../../src/publish/index.ts';

const enc = new TextEncoder();

function timed(bytes: Uint8Array): { feed: Feed; ms: number } {
  const t = performance.now();
  const feed = parseFeed(bytes);
  return { feed, ms: performance.now() - t };
}

function rss(doctype: string, itemTitle: string, extra = ''): Uint8Array {
  return enc.encode(`<?xml version="1.0"?>\n${doctype}\n<rss version="2.0"><channel><title>t</title><link>https://example.com/</link>` +
    `<item><title>${itemTitle}</title><link>https://example.com/1</link><description>${extra}</description></item></channel></rss>`);
}

/** Every string the parse produced, as one JSON text (what the rest of feedmirror could see). */
function allText(feed: Feed): string {
  return JSON.stringify(feed) + JSON.stringify(toJsonFeed(feed));
}

test('billion laughs: expansion is capped, the item survives', () => {
  let decl = '<!ENTITY lol0 "lol">';
  for (let k = 1; k <= 10; k++) decl += `<!ENTITY lol${k} "${`&lol${k - 1};`.repeat(10)}">`;
  const { feed, ms } = timed(rss(`<!DOCTYPE rss [${decl}]>`, 'x &lol10; y'));
  assert.ok(ms < 5000, `took ${ms} ms`);
  assert.equal(feed.items.length, 1);
  // 3 * 10^10 characters if expanded: anything under 50 MB means the cap worked.
  assert.ok(allText(feed).length < 50e6, `output ${allText(feed).length} chars`);
  assert.ok(feed.bozo, 'an entity bomb makes the document bozo');
});

test('quadratic blow-up: one big entity referenced many times', () => {
  const big = 'A'.repeat(100_000);
  const refs = '&big;'.repeat(20_000); // 2 GB if every reference were expanded
  const { feed, ms } = timed(rss(`<!DOCTYPE rss [<!ENTITY big "${big}">]>`, 'title', refs));
  assert.ok(ms < 5000, `took ${ms} ms`);
  assert.equal(feed.items.length, 1);
  assert.equal(feed.items[0].title?.value, 'title');
  assert.ok(allText(feed).length < 100e6, `output ${allText(feed).length} chars`);
});

test('external entities (XXE) are never read: not files, not URLs', async () => {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    res.end('<!ENTITY leak "LEAKED-OVER-HTTP">');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  try {
    const url = `http://127.0.0.1:${port}/evil.dtd`;
    const doctypes = [
      '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
      '<!DOCTYPE rss [<!ENTITY xxe PUBLIC "-//x//y" "file:///etc/hostname">]>',
      `<!DOCTYPE rss [<!ENTITY xxe SYSTEM "${url}">]>`,
      `<!DOCTYPE rss SYSTEM "${url}">`,
      `<!DOCTYPE rss [<!ENTITY % ext SYSTEM "${url}"> %ext;]>`,
    ];
    const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8').split('\n')[0] : 'root:x:0:0';
    for (const d of doctypes) {
      const { feed, ms } = timed(rss(d, 'before &xxe; after', '&xxe;&leak;'));
      assert.ok(ms < 5000);
      const text = allText(feed);
      assert.ok(!text.includes(passwd), `file content leaked with ${d}`);
      assert.ok(!text.includes('root:'), `file content leaked with ${d}`);
      assert.ok(!text.includes('LEAKED-OVER-HTTP'), `URL content leaked with ${d}`);
      assert.equal(feed.items.length, 1);
      assert.match(feed.items[0].title?.value ?? '', /^before .*after$/);
    }
    // Give a stray asynchronous fetch the chance to arrive before counting.
    await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(requests, 0, 'the parser made a network request');
  } finally {
    server.close();
  }
});

test('parameter entities do not define or expand anything unexpected', () => {
  const d = '<!DOCTYPE rss [<!ENTITY % p "<!ENTITY q \'INJECTED\'>"> %p; <!ENTITY % r "&#37;p;"> %r;]>';
  const { feed, ms } = timed(rss(d, 'a &q; b'));
  assert.ok(ms < 5000);
  assert.equal(feed.items.length, 1);
  assert.ok(!allText(feed).includes('INJECTED'), 'a parameter entity declared a general entity');
});

test('recursive entities terminate', () => {
  const { feed, ms } = timed(rss('<!DOCTYPE rss [<!ENTITY a "x&b;"><!ENTITY b "y&a;">]>', 'r &a; s'));
  assert.ok(ms < 5000);
  assert.equal(feed.items.length, 1);
  assert.ok(feed.bozo);
});

test('100,000 levels of nested elements do not overflow the stack', (t) => {
  for (const closed of [true, false]) {
    for (const name of ['div', 'item', 'x:y']) {
      const deep = `<${name}>`.repeat(100_000) + (closed ? `</${name}>`.repeat(100_000) : '');
      const doc = enc.encode(`<rss version="2.0"><channel><title>t</title><item><title>deep</title>${deep}</item></channel></rss>`);
      const { feed, ms } = timed(doc);
      t.diagnostic(`<${name}> closed=${closed}: ${ms.toFixed(0)} ms`);
      assert.ok(ms < 5000, `${name} closed=${closed} took ${ms} ms`);
      assert.ok(feed.items.length >= 1);
      assert.equal(feed.items[0].title?.value, 'deep');
      assert.doesNotThrow(() => JSON.stringify(toJsonFeed(feed)));
    }
  }
});

test('100,000 levels of nested markup inside a text construct (HTML in <description>)', (t) => {
  for (const closed of [true, false]) {
    const deep = '<div>'.repeat(100_000) + (closed ? '</div>'.repeat(100_000) : '');
    const { feed, ms } = timed(rss('', 'deep', deep));
    t.diagnostic(`closed=${closed}: ${ms.toFixed(0)} ms`);
    assert.ok(ms < 5000, `closed=${closed} took ${ms} ms`);
    assert.equal(feed.items.length, 1);
    assert.equal(feed.items[0].title?.value, 'deep');
  }
});

test('100,000 levels of JSON arrays', (t) => {
  const json = enc.encode('{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[' + '['.repeat(100_000) + ']'.repeat(100_000) + ']}');
  const { ms } = timed(json);
  t.diagnostic(`${ms.toFixed(0)} ms`);
  assert.ok(ms < 5000);
});

test('a 100 MB text node completes', (t) => {
  const head = enc.encode('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>big</title><description>');
  const tail = enc.encode('</description></item></channel></rss>');
  const size = 100 * 1024 * 1024;
  const doc = new Uint8Array(head.length + size + tail.length);
  doc.set(head, 0);
  doc.fill(0x61, head.length, head.length + size); // 'a'
  doc.set(tail, head.length + size);
  const { feed, ms } = timed(doc);
  t.diagnostic(`${ms.toFixed(0)} ms`);
  // Generous: a loaded shared machine parses this in a few seconds; a quadratic path would take minutes.
  assert.ok(ms < 20_000, `took ${ms} ms`);
  assert.equal(feed.items.length, 1);
  assert.equal(feed.items[0].summary?.value.length, size);
});

test('30,000 attributes on one element (400 KB) stay fast', (t) => {
  const attrs = Array.from({ length: 30_000 }, (_, k) => `a${k}="${k}"`).join(' ');
  const { feed, ms } = timed(rss('', 'attrs', `</description><enclosure url="https://e.example/a.mp3" ${attrs}/><description>`));
  t.diagnostic(`${ms.toFixed(0)} ms`);
  assert.ok(ms < 5000, `took ${ms} ms`);
  assert.equal(feed.items.length, 1);
  assert.equal(feed.items[0].enclosures[0]?.url, 'https://e.example/a.mp3');
});

test('huge attribute values and a huge title', () => {
  const v = 'x'.repeat(20_000_000);
  const { feed, ms } = timed(rss('', 'T'.repeat(1_000_000), `</description><enclosure url="https://e.example/${v}" length="1"/><description>`));
  assert.ok(ms < 5000, `took ${ms} ms`);
  assert.equal(feed.items.length, 1);
  assert.equal(feed.items[0].title?.value.length, 1_000_000);
});

/**
 * Parse in a child process that is killed after `limitMs`: for inputs that may hang, so that a
 * hang fails the test in bounded time instead of stalling the run.
 */
function parseInChild(bytes: Uint8Array, limitMs: number): { ms?: number; items?: number; killed: boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'fm-hostile-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, bytes);
    const code = `import { readFileSync } from 'node:fs';
      import { parseFeed } from ${JSON.stringify(join(import.meta.dirname, '../../src/parse/index.ts'))};
      const b = readFileSync(${JSON.stringify(file)});
      const t = performance.now(); const f = parseFeed(b);
      console.log(JSON.stringify({ ms: performance.now() - t, items: f.items.length }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: join(import.meta.dirname, '../..'), encoding: 'utf8', timeout: limitMs + 3000, killSignal: 'SIGKILL',
    });
    if (r.signal) return { killed: true };
    assert.equal(r.status, 0, r.stderr);
    return { ...(JSON.parse(r.stdout) as { ms: number; items: number }), killed: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a 100,000-character person string (no "@") does not hang the e-mail search', (t) => {
  for (const el of ['author', 'managingEditor', 'dc:creator']) {
    const r = parseInChild(rss('', 'p', `</description><${el}>${'x'.repeat(100_000)}</${el}><description>`), 5000);
    t.diagnostic(`<${el}>: ${r.killed ? 'killed after 5 s' : `${r.ms?.toFixed(0)} ms`}`);
    assert.equal(r.killed, false, `<${el}> with 100,000 word characters did not finish in 5 s`);
    assert.ok(r.ms! < 5000, `<${el}> took ${r.ms} ms`);
    assert.equal(r.items, 1);
  }
});
