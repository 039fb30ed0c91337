// Item-level comparison of our parser with Python feedparser (Debian's python3-feedparser) over
// every feed of the shared corpus: same item count; per item the same title (as plain text), link
// and date (to the second). Writes bench/results/compare-feedparser.md.
//   npm run compare:feedparser [-- --verbose]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFeed, type Feed, type Item } from '../src/parse/index.ts';
import { collapse, htmlToText, plainText } from '../src/publish/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = resolve(ROOT, '../shared/corpus/feeds');
const REPORT = join(ROOT, 'bench/results/compare-feedparser.md');
const PYTHON = process.env['PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/**
 * Files where we differ from feedparser on purpose, with the reason. Each "feedparser is wrong"
 * case has a test in test/parse/vs-feedparser.test.ts that shows our behaviour is right.
 */
type Verdict = 'feedparser wrong' | 'ours wrong' | 'judgment call';
const NOTES: Record<string, { verdict: Verdict; why: string }> = {
  'chardet__CP932__y-moto.com.xml': { verdict: 'feedparser wrong', why: 'declared Shift_JIS, uses CP932 extensions: feedparser rejects the declaration and decodes as ISO-8859-2 (mojibake); we decode with WHATWG shift_jis (= windows-31j), every title readable.' },
  'chardet__CP949__ricanet.com.xml': { verdict: 'feedparser wrong', why: 'declared EUC-KR, uses CP949 (UHC) extensions: feedparser falls back to windows-1252 (mojibake); WHATWG euc-kr is windows-949 and decodes it.' },
  'rssant__warn__https-tmioe-com-feed.xml': { verdict: 'feedparser wrong', why: 'valid UTF-8 with an unclosed CDATA section: feedparser retries other encodings after the XML error and ends in ISO-8859-2 (mojibake); the bytes are UTF-8 as declared.' },
  'rssant__chardet__utf-8.not-utf-16.xml': { verdict: 'feedparser wrong', why: 'declares utf-16 but the bytes are UTF-8 (no BOM, no NULs): feedparser trusts the declaration and finds 0 items; we detect UTF-8 and find all 877.' },
  'node-feedparser__illegally-nested.xml': { verdict: 'feedparser wrong', why: 'each <item> contains an empty <item/>: feedparser turns each into a separate empty entry (20 entries, 10 without title/link), shifting the comparison; the feed has 10 articles, as node-feedparser\'s own fixture expects.' },
  'rsparser__kc0011.rss': { verdict: 'feedparser wrong', why: 'pubDate "2020/1/10 14:33:00" (year/month/day, the order used in China): feedparser reads 2020-11-01 00:00 (day and month swapped, time lost); we read 2020-01-10 14:33 (no zone given: UTC).' },
  'rssant__well__dapenti_blog_iframe.xml': { verdict: 'feedparser wrong', why: 'pubDate "Wes, 18 Aug 2021 17:00:00 +0800" (misspelt weekday): feedparser drops the date; the weekday is redundant and we ignore it.' },
  'rssant__warn__https-www-oschina-net-news-rss-show-industry.xml': { verdict: 'feedparser wrong', why: 'link with a bare "&lang=zh_CN": feedparser decodes the legacy entity &lang (giving "〈=zh_CN"), corrupting the URL; we keep "&lang=".' },
  'den92__dw.xml': { verdict: 'judgment call', why: 'items 0-1 are elided ("<item rdf:about=...>...</item>", no <link>): we use rdf:about as the link (RSS 1.0 §5.5: it should equal <link>), feedparser gives none.' },
  'rssant__warn__v2ex-no-id-no-summary-no-url.xml': { verdict: 'judgment call', why: 'entry 2 has no <link>, only <id>/t/378265</id> (relative, invalid for Atom): feedparser makes a link of it, we keep it as the id only (Atom: an id is an identifier, not a link).' },
  'rss-parser__uolNoticias.rss': { verdict: 'feedparser wrong', why: 'Portuguese RFC 822 dates ("Seg, 24 Set 2018 19:42:40 -0300"; Set = setembro): feedparser gives no date; we read 2018-09-24 22:42:40 UTC.' },
  'chardet__TIS-620__trickspot.boxchart.com.xml': { verdict: 'feedparser wrong', why: 'Thai dates ("พฤ., 03 พ.ย. 2005 21:24:18 +0000"; พ.ย. = November): feedparser gives no date; we read 2005-11-03 21:24:18 UTC.' },
};

interface FpItem { title: string | null; title_type: string | null; link: string | null; published: string | null; updated: string | null }
interface FpFile { file: string; count?: number; bozo?: boolean; bozo_exception?: string | null; encoding?: string; version?: string; items?: FpItem[]; error?: string }

interface Mismatch { index: number; field: 'title' | 'link' | 'date' | 'missing'; ours: string; theirs: string }
interface FileResult {
  file: string; format: string; comparable: boolean; why?: string;
  ours: number; theirs: number; agree: number; total: number; mismatches: Mismatch[];
  oursBozo?: boolean; theirsBozo?: boolean; oursError?: string;
}

function feedparserAll(paths: string[]): Map<string, FpFile> {
  const r = spawnSync(PYTHON, [join(ROOT, 'scripts/feedparser_dump.py'), ...paths], {
    encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000,
  });
  if (r.status !== 0) {
    throw new Error(`${PYTHON} scripts/feedparser_dump.py failed: ${r.error?.message ?? r.stderr.split('\n').filter(Boolean).pop()}` +
      ' (is python3-feedparser installed? apt-get install -y python3-feedparser)');
  }
  const out = new Map<string, FpFile>();
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const f = JSON.parse(line) as FpFile;
    out.set(f.file, f);
  }
  return out;
}

export function normTitle(s: string | null | undefined, html: boolean): string {
  if (s == null) return '';
  return html ? htmlToText(s) : collapse(s);
}

export function normLink(s: string | null | undefined): string {
  if (s == null) return '';
  const t = s.trim();
  try {
    return new URL(t).href;
  } catch {
    return t;
  }
}

function ourDate(it: Item): string {
  const ms = it.published ?? it.updated;
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const d = new Date(Math.floor(ms / 1000) * 1000);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace('.000Z', 'Z');
}

function compareItems(ours: Item[], theirs: FpItem[]): { agree: number; total: number; mismatches: Mismatch[] } {
  const total = Math.max(ours.length, theirs.length);
  const mismatches: Mismatch[] = [];
  let agree = 0;
  for (let i = 0; i < total; i++) {
    const a = ours[i];
    const b = theirs[i];
    if (!a || !b) {
      mismatches.push({ index: i, field: 'missing', ours: a ? plainText(a.title) ?? '(untitled)' : '(none)', theirs: b ? b.title ?? '(untitled)' : '(none)' });
      continue;
    }
    let ok = true;
    const theirHtml = b.title_type === 'text/html' || b.title_type === 'application/xhtml+xml';
    const ta = plainText(a.title) ?? '';
    const tb = normTitle(b.title, theirHtml);
    // Either side may call a title "html" when the other calls it text: equal visible text is agreement.
    if (ta !== tb && htmlToText(a.title?.value ?? '') !== htmlToText(b.title ?? '')) {
      ok = false;
      mismatches.push({ index: i, field: 'title', ours: ta, theirs: tb });
    }
    const la = normLink(a.link);
    const lb = normLink(b.link);
    if (la !== lb) {
      ok = false;
      mismatches.push({ index: i, field: 'link', ours: la, theirs: lb });
    }
    const da = ourDate(a);
    const db = b.published ?? b.updated ?? '';
    if (da !== db) {
      ok = false;
      mismatches.push({ index: i, field: 'date', ours: da, theirs: db });
    }
    if (ok) agree++;
  }
  return { agree, total, mismatches };
}

function isJson(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0xef || b === 0xbb || b === 0xbf || b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b; // '{'
  }
  return false;
}

export function compareCorpus(files: string[]): FileResult[] {
  const paths = files.map((f) => join(CORPUS, f));
  const fp = feedparserAll(paths);
  const results: FileResult[] = [];
  for (const [k, file] of files.entries()) {
    const bytes = readFileSync(paths[k]);
    const res: FileResult = { file, format: '?', comparable: true, ours: 0, theirs: 0, agree: 0, total: 0, mismatches: [] };
    let feed: Feed | undefined;
    try {
      feed = parseFeed(bytes);
      res.format = feed.format;
      res.ours = feed.items.length;
      res.oursBozo = feed.bozo;
    } catch (e) {
      res.oursError = String((e as Error)?.message ?? e).split('\n')[0];
    }
    const theirs = fp.get(paths[k]);
    if (isJson(bytes)) {
      res.comparable = false;
      res.why = 'JSON Feed: Debian feedparser 6.0.10 has no JSON Feed support (added in 6.1)';
      results.push(res);
      continue;
    }
    if (!theirs || theirs.error) {
      res.comparable = false;
      res.why = `feedparser failed: ${theirs?.error ?? 'no result'}`;
      results.push(res);
      continue;
    }
    res.theirs = theirs.count ?? 0;
    res.theirsBozo = theirs.bozo;
    const c = compareItems(feed?.items ?? [], theirs.items ?? []);
    res.agree = c.agree;
    res.total = c.total;
    res.mismatches = c.mismatches;
    results.push(res);
  }
  return results;
}

function clip(s: string, n = 90): string {
  const t = s.length > n ? s.slice(0, n - 1) + '…' : s;
  return md(t);
}

/** Text for a Markdown table cell: no table breaks, no raw tags. */
function md(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

function main(): void {
  const verbose = process.argv.includes('--verbose');
  const files = readdirSync(CORPUS).filter((f) => !f.startsWith('.')).sort();
  const t0 = performance.now();
  const results = compareCorpus(files);
  const comparable = results.filter((r) => r.comparable);
  const agree = comparable.reduce((a, r) => a + r.agree, 0);
  const total = comparable.reduce((a, r) => a + r.total, 0);
  const pct = total ? (100 * agree) / total : 100;
  const sameCount = comparable.filter((r) => r.ours === r.theirs).length;
  const perfect = comparable.filter((r) => r.agree === r.total).length;
  const fair = comparable.filter((r) => NOTES[r.file]?.verdict !== 'feedparser wrong');
  const fairAgree = fair.reduce((a, r) => a + r.agree, 0);
  const fairTotal = fair.reduce((a, r) => a + r.total, 0);
  const fairPct = fairTotal ? (100 * fairAgree) / fairTotal : 100;
  const unexplained = comparable.filter((r) => (r.agree !== r.total || r.ours !== r.theirs) && !NOTES[r.file]);

  const lines: string[] = [];
  const say = (s: string) => lines.push(s);
  say('# feedmirror vs Python feedparser (item level)\n');
  say(`Generated by \`npm run compare:feedparser\` on ${new Date().toISOString().slice(0, 16)}Z over \`../shared/corpus/feeds\` ` +
    `(${files.length} files). feedparser: Debian python3-feedparser (${PYTHON}), \`feedparser.parse(bytes)\` with default settings.\n`);
  say('Per item (matched by position): same title as plain text (tags stripped, entities decoded, whitespace collapsed; ' +
    'HTML titles reduced to their visible text on both sides), same link (compared after WHATWG URL serialization), ' +
    'same date to the second (published, else updated, in UTC). Items one side has and the other lacks count as disagreements.\n');
  say(`**Item agreement: ${agree} / ${total} = ${pct.toFixed(2)}%** over ${comparable.length} comparable files ` +
    `(${sameCount} with the same item count, ${perfect} agreeing on every item). ` +
    `${results.length - comparable.length} files not comparable (listed below).\n`);
  say(`**Excluding the ${comparable.length - fair.length} files where feedparser is wrong** (each has a test in ` +
    `\`test/parse/vs-feedparser.test.ts\`): ${fairAgree} / ${fairTotal} = ${fairPct.toFixed(2)}%. ` +
    `Files with differences not yet explained: ${unexplained.length}${unexplained.length ? ` (${unexplained.map((r) => r.file).join(', ')})` : ''}.\n`);
  say('## Files with differences\n');
  say('| file | format | items ours / feedparser | agree | title / link / date / missing | explanation |');
  say('|---|---|---:|---:|---|---|');
  for (const r of comparable) {
    if (r.agree === r.total && r.ours === r.theirs) continue;
    const n = (f: Mismatch['field']) => r.mismatches.filter((m) => m.field === f).length;
    say(`| ${r.file} | ${r.format} | ${r.ours} / ${r.theirs} | ${r.agree}/${r.total} | ${n('title')} / ${n('link')} / ${n('date')} / ${n('missing')} | ${NOTES[r.file] ? `**${NOTES[r.file].verdict}**: ${md(NOTES[r.file].why)}` : ''} |`);
  }
  say('\n## Not comparable\n');
  for (const r of results.filter((x) => !x.comparable)) say(`* ${r.file} (ours: ${r.format}, ${r.ours} items): ${r.why}`);
  say('\n## Mismatch details (first 5 per file and field)\n');
  for (const r of comparable) {
    if (!r.mismatches.length) continue;
    say(`### ${r.file}\n`);
    if (NOTES[r.file]) say(`**${NOTES[r.file].verdict}**: ${md(NOTES[r.file].why)}\n`);
    say('| item | field | ours | feedparser |');
    say('|---:|---|---|---|');
    const shown = new Map<string, number>();
    for (const m of r.mismatches) {
      const c = shown.get(m.field) ?? 0;
      shown.set(m.field, c + 1);
      if (c < 5) say(`| ${m.index} | ${m.field} | ${clip(m.ours)} | ${clip(m.theirs)} |`);
    }
    const hidden = [...shown.values()].reduce((a, c) => a + Math.max(0, c - 5), 0);
    if (hidden) say(`\n(${hidden} more)`);
    say('');
  }
  const errors = results.filter((r) => r.oursError);
  if (errors.length) {
    say('## Our parser threw\n');
    for (const r of errors) say(`* ${r.file}: ${r.oursError}`);
  }
  mkdirSync(dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, lines.join('\n') + '\n');

  for (const r of comparable) {
    if (!r.mismatches.length) continue;
    console.log(`${r.file}: ${r.agree}/${r.total} items agree (ours ${r.ours}, feedparser ${r.theirs})${NOTES[r.file] ? ` [${NOTES[r.file].verdict}]` : ''}`);
    for (const m of verbose ? r.mismatches : r.mismatches.slice(0, 3)) {
      const cut = (x: string) => (x.length > 120 ? x.slice(0, 119) + '…' : x);
      console.log(`  #${m.index} ${m.field}: ours ${JSON.stringify(cut(m.ours))} | feedparser ${JSON.stringify(cut(m.theirs))}`);
    }
    if (!verbose && r.mismatches.length > 3) console.log(`  ... ${r.mismatches.length - 3} more (--verbose)`);
  }
  for (const r of errors) console.log(`${r.file}: our parser threw: ${r.oursError}`);
  console.log(`\nexcluding files where feedparser is wrong: ${fairAgree}/${fairTotal} = ${fairPct.toFixed(2)}%; unexplained files: ${unexplained.length}`);
  console.log(`item agreement ${agree}/${total} = ${pct.toFixed(2)}% over ${comparable.length} comparable files ` +
    `(${results.length - comparable.length} not comparable); ${((performance.now() - t0) / 1000).toFixed(1)} s; wrote ${REPORT}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
