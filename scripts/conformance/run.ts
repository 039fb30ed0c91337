// npm run conformance -- --dir ../shared/conformance [--json FILE] [--failures FILE] [--verbose] [--filter S]
// Scores the feed parser against the conformance corpus; see docs/conformance.md.
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { codecSource } from './codec.ts';
import { runDates, showCases, runFeedparser, runGofeed, SANITIZE, type CaseResult, type Suite } from './suites.ts';

interface Score {
  passed: number;
  failed: number;
}

const USAGE = 'usage: conformance [--dir DIR] [--json FILE] [--failures FILE] [--verbose] [--filter SUBSTRING] [--show ID-SUBSTRING] [--markdown FILE]';

function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        dir: { type: 'string', default: '../shared/conformance' },
        json: { type: 'string' },
        failures: { type: 'string' },
        verbose: { type: 'boolean', short: 'v', default: false },
        filter: { type: 'string' },
        show: { type: 'string' },
        markdown: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`conformance: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const dir = args.dir;
  if (!existsSync(dir)) {
    console.error(`conformance: no such directory: ${dir}`);
    return 2;
  }

  if (args.show) {
    try {
      console.log(showCases(dir, args.show));
    } catch (err) {
      console.error(`conformance: ${(err as Error).message}`);
      return 1;
    }
    return 0;
  }

  const started = performance.now();
  const results: CaseResult[] = [];
  const runners: [Suite, (d: string, f?: string) => CaseResult[]][] = [
    ['feedparser', runFeedparser],
    ['gofeed', runGofeed],
    ['dates', runDates],
  ];
  for (const [suite, run] of runners) {
    try {
      results.push(...run(dir, args.filter));
    } catch (err) {
      // An unreadable suite file is reported, the other suites still run.
      console.error(`conformance: ${suite} suite skipped: ${(err as Error).message}`);
    }
  }

  const bucket = (r: CaseResult): string => (r.suite === 'feedparser' && r.category === SANITIZE ? 'sanitize' : r.suite);
  const suites: Record<string, Score & { categories: Record<string, Score> }> = {};
  for (const r of results) {
    const s = (suites[bucket(r)] ??= { passed: 0, failed: 0, categories: {} });
    const c = (s.categories[r.category] ??= { passed: 0, failed: 0 });
    if (r.passed) {
      s.passed++;
      c.passed++;
    } else {
      s.failed++;
      c.failed++;
    }
  }
  const tags: Record<string, Score> = {};
  for (const r of results) {
    if (r.suite !== 'feedparser' || r.category === SANITIZE) continue;
    for (const t of r.tags ?? []) {
      const s = (tags[t] ??= { passed: 0, failed: 0 });
      if (r.passed) s.passed++;
      else s.failed++;
    }
  }

  const lines: string[] = [];
  lines.push(`corpus: ${dir}   encoding names: ${codecSource}`);
  for (const name of ['feedparser', 'gofeed', 'dates', 'sanitize']) {
    const s = suites[name];
    if (!s) continue;
    lines.push('');
    lines.push(`${name}: ${fmt(s)}${name === 'feedparser' ? ` (without ${SANITIZE})` : ''}`);
    const cats = Object.entries(s.categories).sort(([a], [b]) => a.localeCompare(b));
    const width = Math.max(...cats.map(([k]) => k.length));
    for (const [cat, c] of cats) lines.push(`  ${cat.padEnd(width)}  ${fmt(c)}`);
    if (name === 'feedparser' && Object.keys(tags).length > 0) {
      lines.push('  by tag:');
      for (const [t, c] of Object.entries(tags).sort(([a], [b]) => a.localeCompare(b))) lines.push(`    ${t.padEnd(width - 2)}  ${fmt(c)}`);
    }
  }
  if (args.verbose) {
    const failed = results.filter((r) => !r.passed);
    lines.push('', `failures (${failed.length}):`);
    for (const r of failed) {
      lines.push(`  [${r.suite}] ${r.id}: ${r.message ?? 'failed'}`);
      if (r.expected !== undefined || r.actual !== undefined) {
        lines.push(`      expected: ${show(r.expected)}`);
        lines.push(`      actual:   ${show(r.actual)}`);
      }
    }
  }
  const counted = results.filter((r) => bucket(r) !== 'sanitize');
  const passed = counted.filter((r) => r.passed).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  lines.push('', `(${results.length} cases in ${seconds} s)`);
  lines.push(`conformance: ${passed} passed, ${counted.length - passed} failed`);
  console.log(lines.join('\n'));

  try {
    if (args.json) {
      const report = {
        corpus: dir,
        suites: Object.fromEntries(
          ['feedparser', 'gofeed', 'dates', 'sanitize'].map((n) => [n, suites[n] ?? { passed: 0, failed: 0, categories: {} }]),
        ),
        tags,
        total: { passed, failed: counted.length - passed },
      };
      writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
    }
    if (args.markdown) writeFileSync(args.markdown, markdown(suites, tags, { passed, failed: counted.length - passed }));
    if (args.failures) {
      const rows = results.filter((r) => !r.passed).map((r) => JSON.stringify(r));
      writeFileSync(args.failures, rows.length > 0 ? `${rows.join('\n')}\n` : '');
    }
  } catch (err) {
    console.error(`conformance: cannot write report: ${(err as Error).message}`);
    return 2;
  }
  return 0;
}

/** The score tables of docs/conformance.md. */
function markdown(suites: Record<string, Score & { categories: Record<string, Score> }>, tags: Record<string, Score>, total: Score): string {
  const rate = (s: Score) => (s.passed + s.failed === 0 ? '-' : `${((100 * s.passed) / (s.passed + s.failed)).toFixed(1)}%`);
  const out = ['| suite | passed | failed | rate |', '| --- | ---: | ---: | ---: |'];
  const names: [string, string][] = [['feedparser', ' (without sanitize)'], ['gofeed', ''], ['dates', ''], ['sanitize', ' (counted apart)']];
  for (const [name, note] of names) {
    const s = suites[name];
    if (s) out.push(`| ${name}${note} | ${s.passed} | ${s.failed} | ${rate(s)} |`);
  }
  out.push(`| **total** (feedparser + gofeed + dates) | **${total.passed}** | **${total.failed}** | ${rate(total)} |`, '');
  out.push('| suite | category | passed / cases |', '| --- | --- | ---: |');
  for (const name of ['feedparser', 'gofeed', 'dates']) {
    for (const [cat, c] of Object.entries(suites[name]?.categories ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      out.push(`| ${name} | ${cat} | ${c.passed} / ${c.passed + c.failed} |`);
    }
  }
  const byTag = Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)).map(([t, c]) => `${t} ${c.passed}/${c.passed + c.failed}`);
  if (byTag.length > 0) out.push('', `Feedparser cases by tag: ${byTag.join(', ')}.`);
  return `${out.join('\n')}\n`;
}

function fmt(s: Score): string {
  const n = s.passed + s.failed;
  const pct = n === 0 ? 0 : (100 * s.passed) / n;
  return `${s.passed}/${n} passed (${pct.toFixed(1)}%)`;
}

function show(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? '(missing)' : JSON.stringify(v);
  } catch {
    s = String(v);
  }
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

process.exitCode = main(process.argv.slice(2));
