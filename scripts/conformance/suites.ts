// The three suites of the conformance corpus, each turned into case results.
// Any part of the corpus may be missing; a case never stops the run.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, isAbsolute, resolve } from 'node:path';
import { decode, parseDate, parseFeed } from '../../src/parse/index.ts';
import type { Feed, ParseOptions } from '../../src/parse/index.ts';
import { check, fmtPath, isoInstant, type Assertion } from './assert.ts';
import { codecName } from './codec.ts';
import { dropPath, firstDiff, normalize } from './compare.ts';
import { feedparserView } from './feedparser-view.ts';
import { feedType, gofeedView, type Model } from './gofeed-view.ts';

export type Suite = 'feedparser' | 'gofeed' | 'dates';

export interface CaseResult {
  suite: Suite;
  id: string;
  category: string;
  passed: boolean;
  tags?: string[];
  /** First failing check, for --verbose and --failures. */
  message?: string;
  expected?: unknown;
  actual?: unknown;
}

/** The feedparser category counted apart (sanitizing is not the parser's job). */
export const SANITIZE = 'wellformed/sanitize';

export function runFeedparser(dir: string, filter?: string): CaseResult[] {
  const root = join(dir, 'feedparser');
  const cases = readJsonl(join(root, 'cases.jsonl'));
  const out: CaseResult[] = [];
  for (const c of cases) {
    const id = String(c.id ?? c.file ?? '');
    if (filter && !id.includes(filter)) continue;
    if (c.translated === false || !Array.isArray(c.assertions)) continue;
    const tags = Array.isArray(c.tags) ? c.tags.map(String) : [];
    for (const r of Array.isArray(c.requires) ? c.requires : c.requires !== undefined ? [c.requires] : []) tags.push(`requires:${String(r)}`);
    const base: CaseResult = { suite: 'feedparser', id, category: String(c.category ?? 'uncategorized'), passed: false, tags };
    out.push(guard(base, () => {
      const bytes = readFileSync(inside(root, c.file));
      const options = httpOptions(c.http);
      const feed = parseFeed(bytes, options);
      const decoded = safe(() => decode(bytes, options.contentType));
      const view = feedparserView(feed, { encoding: codecName(feed.encoding ?? '', decoded) });
      for (const a of c.assertions as Assertion[]) {
        const miss = check(a, view);
        if (miss) {
          const where = a.path ? `${fmtPath(a.path)} ${a.op}` : a.op;
          return { ...base, message: `${where}: ${miss.reason}`, expected: a.value ?? a.alternatives, actual: miss.actual };
        }
      }
      return { ...base, passed: true };
    }));
  }
  return out;
}

export function runGofeed(dir: string, filter?: string): CaseResult[] {
  const root = join(dir, 'gofeed');
  const cases = readJsonl(join(root, 'manifest.jsonl'));
  const out: CaseResult[] = [];
  for (const c of cases) {
    const id = String(c.id ?? c.input ?? '');
    if (filter && !id.includes(filter)) continue;
    const base: CaseResult = { suite: 'gofeed', id, category: String(c.category ?? 'uncategorized'), passed: false };
    out.push(guard(base, () => {
      const feed = parseFeed(readFileSync(inside(root, c.input)), {});
      if (c.expect_error === true) {
        // Our parser says "not a feed" by returning format unknown with the reason in errors.
        const rejected = feed.format === 'unknown' && feed.errors.length > 0;
        return rejected
          ? { ...base, passed: true }
          : { ...base, message: 'expected a parse error', expected: 'format unknown + error', actual: `${feed.format}, errors ${JSON.stringify(feed.errors)}` };
      }
      if (isObj(c.expect_fields)) {
        const view = gofeedView(feed, 'universal');
        for (const [k, want] of Object.entries(c.expect_fields)) {
          const got = view[k];
          if (got !== want) return { ...base, message: `${k} differs`, expected: want, actual: got };
        }
        return { ...base, passed: true };
      }
      if (typeof c.expected !== 'string') return { ...base, message: 'case has no expected file' };
      const expected: unknown = JSON.parse(readFileSync(inside(root, c.expected), 'utf8'));
      const actual: unknown = gofeedView(feed, modelOf(c.model));
      for (const p of Array.isArray(c.ignore_paths) ? c.ignore_paths : []) {
        const path = isObj(p) && Array.isArray(p.path) ? p.path : undefined;
        if (path) {
          dropPath(expected, path);
          dropPath(actual, path);
        }
      }
      const diff = firstDiff(normalize(expected), normalize(actual));
      if (!diff) return { ...base, passed: true };
      const format = feedType(feed) === 'unknown' ? ` (parsed as ${feed.format}: ${feed.errors[0] ?? 'no error'})` : '';
      return { ...base, message: `${diff.path || '(root)'} differs${format}`, expected: diff.expected, actual: diff.actual };
    }));
  }
  return out;
}

export function runDates(dir: string, filter?: string): CaseResult[] {
  const file = join(dir, 'dates.json');
  if (!existsSync(file)) return [];
  const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const rows = Array.isArray(doc) ? doc : isObj(doc) && Array.isArray(doc.dates) ? doc.dates : [];
  const out: CaseResult[] = [];
  rows.forEach((row: unknown, i: number) => {
    if (!isObj(row) || typeof row.input !== 'string') return;
    const input = row.input;
    const id = `dates[${i}] ${JSON.stringify(input)}`;
    if (filter && !id.includes(filter)) return;
    const base: CaseResult = { suite: 'dates', id, category: String(row.format_hint ?? row.source ?? 'any'), passed: false };
    out.push(guard(base, () => {
      const got = parseDate(input);
      const want = typeof row.expected_utc === 'string' ? isoInstant(row.expected_utc) : undefined;
      const actual = got === undefined ? null : isoOrRaw(got);
      if (want === undefined) {
        return got === undefined ? { ...base, passed: true } : { ...base, message: 'should be rejected', expected: null, actual };
      }
      const ok = got !== undefined && Number.isFinite(got) && Math.floor(got / 1000) === Math.floor(want / 1000);
      return ok ? { ...base, passed: true } : { ...base, message: 'different instant', expected: row.expected_utc, actual };
    }));
  });
  return out;
}

/** The model and adapter view of every case whose id contains `needle`, for debugging a failure. */
export function showCases(dir: string, needle: string): string {
  const out: string[] = [];
  for (const c of readJsonl(join(dir, 'feedparser', 'cases.jsonl'))) {
    if (!String(c.id).includes(needle)) continue;
    const bytes = readFileSync(join(dir, 'feedparser', String(c.file)));
    const options = httpOptions(c.http);
    const feed = parseFeed(bytes, options);
    const decoded = safe(() => decode(bytes, options.contentType));
    out.push(`== feedparser ${c.id}`, `options: ${JSON.stringify(options)}`, `model: ${JSON.stringify(feed, null, 1)}`);
    out.push(`view: ${JSON.stringify(feedparserView(feed, { encoding: codecName(feed.encoding ?? '', decoded) }), null, 1)}`);
    out.push(`assertions: ${JSON.stringify(c.assertions)}`);
  }
  for (const c of readJsonl(join(dir, 'gofeed', 'manifest.jsonl'))) {
    if (!String(c.id).includes(needle)) continue;
    const feed = parseFeed(readFileSync(join(dir, 'gofeed', String(c.input))), {});
    out.push(`== gofeed ${c.id}`, `model: ${JSON.stringify(feed, null, 1)}`);
    out.push(`view (${modelOf(c.model)}): ${JSON.stringify(normalize(gofeedView(feed, modelOf(c.model))), null, 1)}`);
    if (typeof c.expected === 'string') {
      out.push(`expected: ${JSON.stringify(normalize(JSON.parse(readFileSync(join(dir, 'gofeed', c.expected), 'utf8'))), null, 1)}`);
    }
  }
  return out.join('\n');
}

/** Runs one case; an exception anywhere (parser or adapter) fails that case only. */
function guard(base: CaseResult, run: () => CaseResult): CaseResult {
  try {
    return run();
  } catch (err) {
    const e = err as Error;
    const where = e?.stack?.split('\n').slice(1, 3).map((s) => s.trim()).join(' < ') ?? '';
    return { ...base, passed: false, message: `exception: ${e?.message ?? String(err)}${where ? ` (${where})` : ''}` };
  }
}

/** A corpus path, refused when it leads outside the corpus folder. */
function inside(root: string, rel: unknown): string {
  if (typeof rel !== 'string' || rel === '') throw new Error('case names no file');
  const full = resolve(root, rel);
  const r = relative(resolve(root), full);
  if (r.startsWith('..') || isAbsolute(r)) throw new Error(`file outside the corpus: ${rel}`);
  return full;
}

function httpOptions(http: unknown): ParseOptions {
  if (!isObj(http)) return {};
  const headers = new Map<string, string>();
  if (isObj(http.headers)) for (const [k, v] of Object.entries(http.headers)) headers.set(k.toLowerCase(), String(v));
  const o: ParseOptions = {};
  if (typeof http.url === 'string') o.url = http.url;
  const ct = headers.get('content-type');
  if (ct !== undefined) o.contentType = ct;
  const cl = headers.get('content-location');
  if (cl !== undefined) o.contentLocation = cl;
  const lang = headers.get('content-language');
  if (lang !== undefined) o.contentLanguage = lang;
  return o;
}

function modelOf(m: unknown): Model {
  return m === 'rss' || m === 'atom' || m === 'json' ? m : 'universal';
}

/** One JSON object per line; a missing file is an absent suite, a bad line is skipped. */
function readJsonl(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isObj(v)) out.push(v);
    } catch {
      // skipped; the totals show fewer cases
    }
  }
  return out;
}

function isoOrRaw(t: number): string | number {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toISOString();
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type { Feed };
