import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from '../../scripts/conformance/assert.ts';
import { dropPath, firstDiff, normalize } from '../../scripts/conformance/compare.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let tmp = '';

// A corpus in the shared layout, small and built here so the expected scores are known.
// Inputs are JSON Feeds, so the outcome does not depend on the XML parser's progress.
const feedJson = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'T',
  items: [{ id: '1', title: 'x', url: 'https://example.org/1' }],
});

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function jsonl(rows: unknown[]): string {
  return rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fm-conformance-'));
  const full = join(tmp, 'full');
  write(join(full, 'feedparser/json/ok.json'), feedJson);
  write(join(full, 'feedparser/wellformed/sanitize/s.json'), feedJson);
  write(
    join(full, 'feedparser/cases.jsonl'),
    jsonl([
      {
        id: 'json/ok.json', file: 'json/ok.json', category: 'json', translated: true, tags: ['bozo'],
        assertions: [
          { path: ['bozo'], op: 'falsy' },
          { path: ['version'], op: 'eq', value: 'json11' },
          { path: ['feed', 'title'], op: 'eq', value: 'T' },
          { path: ['entries'], op: 'len', value: 1 },
          { path: ['entries', -1, 'link'], op: 'eq', value: 'https://example.org/1' },
        ],
      },
      {
        id: 'json/bad.json', file: 'json/ok.json', category: 'json', translated: true,
        assertions: [{ path: ['feed', 'title'], op: 'eq', value: 'Other' }],
      },
      {
        id: 'json/missing.json', file: 'json/missing.json', category: 'json', translated: true,
        assertions: [{ path: ['bozo'], op: 'falsy' }],
      },
      {
        id: 'json/escape.json', file: '../../../../../../etc/hostname', category: 'json', translated: true,
        assertions: [{ path: ['bozo'], op: 'falsy' }],
      },
      {
        id: 'wellformed/sanitize/s.json', file: 'wellformed/sanitize/s.json', category: 'wellformed/sanitize', translated: true,
        assertions: [{ path: ['feed', 'title'], op: 'eq', value: 'T' }],
      },
      '{this line is not JSON',
    ]),
  );
  write(join(full, 'gofeed/parser/json/f.json'), feedJson.replace('https://jsonfeed.org/version/1.1', '1.1'));
  write(
    join(full, 'gofeed/parser/json/f_expected.json'),
    JSON.stringify({ version: '1.1', title: 'T', expired: false, items: [{ id: '1', title: 'x', url: 'https://example.org/1', tags: [] }] }),
  );
  write(join(full, 'gofeed/parser/json/wrong_expected.json'), JSON.stringify({ feedType: 'json', title: 'Not T' }));
  write(join(full, 'gofeed/parser/json/invalid.json'), '{"version": "1.1", "items": [');
  write(
    join(full, 'gofeed/manifest.jsonl'),
    jsonl([
      { id: 'parser/json/f.json', input: 'parser/json/f.json', expected: 'parser/json/f_expected.json', model: 'json', category: 'parser/json' },
      { id: 'parser/json/invalid.json', input: 'parser/json/invalid.json', expected: null, model: 'json', category: 'parser/json', expect_error: true },
      { id: 'parser/universal/f.json', input: 'parser/json/f.json', expected: null, model: 'universal', category: 'parser/universal', expect_fields: { feedType: 'json', title: 'T' } },
      { id: 'translator/json/wrong.json', input: 'parser/json/f.json', expected: 'parser/json/wrong_expected.json', model: 'universal', category: 'translator/json' },
    ]),
  );
  write(
    join(full, 'dates.json'),
    JSON.stringify({
      dates: [
        { input: '2004-01-01T19:48:21Z', expected_utc: '2004-01-01T19:48:21Z', format_hint: 'w3dtf' },
        { input: 'not a date at all', expected_utc: null, format_hint: 'any' },
        { input: '2004-01-01T19:48:21Z', expected_utc: '2005-01-01T00:00:00Z', format_hint: 'w3dtf' },
      ],
    }),
  );
  // Only part of the layout: no feedparser/, no dates.json.
  const part = join(tmp, 'part');
  write(join(part, 'gofeed/parser/json/f.json'), feedJson);
  write(
    join(part, 'gofeed/manifest.jsonl'),
    jsonl([{ id: 'u.json', input: 'parser/json/f.json', expected: null, model: 'universal', category: 'parser/universal', expect_fields: { feedType: 'json' } }]),
  );
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/conformance/run.ts', ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lastLine(s: string): string {
  return s.trimEnd().split('\n').at(-1) ?? '';
}

test('full layout: per-suite scores, sanitize apart, JSON report and failures file', () => {
  const report = join(tmp, 'report.json');
  const failures = join(tmp, 'failures.jsonl');
  const md = join(tmp, 'scores.md');
  const r = run('--dir', join(tmp, 'full'), '--json', report, '--failures', failures, '--markdown', md);
  assert.equal(r.status, 0, r.stderr);
  // feedparser 1/4 (sanitize apart), gofeed 3/4, dates 2/3.
  assert.equal(lastLine(r.stdout), 'conformance: 6 passed, 5 failed');
  assert.match(r.stdout, /^feedparser: 1\/4 passed/m);
  assert.match(r.stdout, /^gofeed: 3\/4 passed/m);
  assert.match(r.stdout, /^dates: 2\/3 passed/m);
  assert.match(r.stdout, /^sanitize: 1\/1 passed/m);
  assert.match(r.stdout, /^ {2}parser\/json +2\/2 passed/m);

  const json = JSON.parse(readFileSync(report, 'utf8'));
  assert.deepEqual(
    Object.fromEntries(Object.entries(json.suites).map(([k, v]) => [k, [(v as any).passed, (v as any).failed]])),
    { feedparser: [1, 3], gofeed: [3, 1], dates: [2, 1], sanitize: [1, 0] },
  );

  const tables = readFileSync(md, 'utf8');
  assert.match(tables, /^\| gofeed \| 3 \| 1 \| 75\.0% \|$/m);
  assert.match(tables, /^\| \*\*total\*\* \(feedparser \+ gofeed \+ dates\) \| \*\*6\*\* \| \*\*5\*\* \| 54\.5% \|$/m);

  const rows = readFileSync(failures, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((x) => x.id).sort(), ['dates[2] "2004-01-01T19:48:21Z"', 'json/bad.json', 'json/escape.json', 'json/missing.json', 'translator/json/wrong.json']);
  assert.match(rows.find((x) => x.id === 'json/escape.json').message, /file outside the corpus/);
  const missing = rows.find((x) => x.id === 'json/missing.json');
  assert.match(missing.message, /^exception: .*ENOENT/);
  const bad = rows.find((x) => x.id === 'json/bad.json');
  assert.equal(bad.message, 'feed.title eq: not equal');
  assert.equal(bad.expected, 'Other');
  assert.equal(bad.actual, 'T');
});

test('missing parts of the layout are skipped', () => {
  const report = join(tmp, 'part.json');
  const r = run('--dir', join(tmp, 'part'), '--json', report);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(lastLine(r.stdout), 'conformance: 1 passed, 0 failed');
  assert.doesNotMatch(r.stdout, /^(feedparser|dates|sanitize):/m);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  assert.deepEqual(json.suites.dates, { passed: 0, failed: 0, categories: {} });
  assert.deepEqual([json.suites.gofeed.passed, json.suites.gofeed.failed], [1, 0]);
});

test('--filter and --verbose show the failing case with expected and actual', () => {
  const r = run('--dir', join(tmp, 'full'), '--filter', 'bad.json', '--verbose');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(lastLine(r.stdout), 'conformance: 0 passed, 1 failed');
  assert.match(r.stdout, /\[feedparser\] json\/bad\.json: feed\.title eq: not equal\n\s+expected: "Other"\n\s+actual: {3}"T"/);
});

test('bad arguments and a missing directory are clear errors', () => {
  const a = run('--bogus');
  assert.equal(a.status, 2);
  assert.match(a.stderr, /usage: conformance/);
  const b = run('--dir', join(tmp, 'nope'));
  assert.equal(b.status, 2);
  assert.match(b.stderr, /no such directory/);
});

test('assertion semantics (README 1.3)', () => {
  const v = { bozo: 0, feed: { title: 'T', tags: [], n: null, at: Date.UTC(2004, 0, 1, 19, 48, 21, 900) }, entries: [{ id: 'a' }, { id: 'b' }] };
  const holds = (a: object) => check(a as never, v) === undefined;
  assert.ok(holds({ path: ['entries', -1, 'id'], op: 'eq', value: 'b' }));
  assert.ok(!holds({ path: ['entries', 2, 'id'], op: 'eq', value: 'b' }));
  assert.ok(holds({ path: ['feed', 'missing'], op: 'falsy' }));
  assert.ok(holds({ path: ['feed', 'missing'], op: 'absent' }));
  assert.ok(holds({ path: ['feed', 'n'], op: 'absent' }));
  assert.ok(!holds({ path: ['feed', 'missing'], op: 'eq', value: null }));
  assert.ok(!holds({ path: ['feed', 'tags'], op: 'truthy' }));
  assert.ok(holds({ path: ['feed', 'at'], op: 'time_eq', value: '2004-01-01T19:48:21Z' }));
  assert.ok(!holds({ path: ['feed', 'at'], op: 'time_eq', value: '2004-01-01T19:48:22Z' }));
  assert.ok(holds({ op: 'any', alternatives: [[{ path: ['feed', 'title'], op: 'eq', value: 'x' }], [{ path: ['bozo'], op: 'falsy' }]] }));
  assert.ok(!holds({ op: 'any', alternatives: [[{ path: ['feed', 'title'], op: 'eq', value: 'x' }]] }));
  assert.ok(holds({ path: ['bozo'], op: 'eq', value: false }));
  assert.ok(!holds({ path: ['bozo'], op: 'frobnicate' }));
});

test('gofeed comparison: empty values dropped, dates as instants, ignored paths', () => {
  const expected = { title: 'T', items: [{ authors: [{ name: 'a', avatar: 'x' }], updatedParsed: '2019-10-12T07:20:50.52Z' }], extensions: {} };
  const actual = { title: 'T', description: '', items: [{ authors: [{ name: 'a' }], updatedParsed: '2019-10-12T07:20:50.000Z', custom: {} }] };
  assert.deepEqual(firstDiff(normalize(expected), normalize(actual)), {
    path: 'items[0].authors[0].avatar', expected: 'x', actual: undefined,
  });
  dropPath(expected, ['items', '*', 'authors', '*', 'avatar']);
  assert.equal(firstDiff(normalize(expected), normalize(actual)), undefined);
  assert.ok(firstDiff(normalize({ aParsed: '2019-10-12T07:20:50Z' }), normalize({ aParsed: '2019-10-12T07:20:51Z' })));
});
