// The static mirror site: plain HTML pages, the republished feeds as files and a
// client-side search index, all linked relatively so the directory works from
// any static host or subdirectory. Each file is written atomically and only when
// its bytes changed (a rebuild touches only what is new); files of an earlier
// build that are no longer produced are removed.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ImageOptions } from '../content/index.ts';
import { buildFeed, categories, entryOf, render, savedSearches, Served, FORMATS, type Row, type Selection } from '../publish/index.ts';
import { htmlToText } from '../search/index.ts';
import type { Database } from '../store/index.ts';
import { SEARCH_JS, STYLE_CSS } from './assets.ts';
import { docTokens, shardOf, t2sMap } from './tokens.ts';

export interface SiteOptions {
  /** Output directory (created; must be empty or an earlier site). */
  out: string;
  /** Archive directory. */
  root: string;
  images?: ImageOptions;
  /** Public URL of the site, for absolute feed self links; pages stay relative. */
  baseUrl?: string;
  /** Items per list page (default 50). */
  pageSize?: number;
  /** Items per feed (default 50). */
  feedLimit?: number;
  /** Time zone of dates and day pages (default Asia/Shanghai). */
  timeZone?: string;
  title?: string;
}

export interface SiteReport {
  items: number;
  files: number;
  written: number;
  removed: number;
  bytes: number;
  ms: number;
  /** Feeds that could not be written (e.g. a saved search the search no longer reads). */
  warnings: string[];
}

export class SiteError extends Error {
  override name = 'SiteError';
}

/** Marks a directory as ours: only such a directory has files removed. */
const MARKER = '.feedmirror-site';
const SEARCH_LIMIT = 100;
const DOC_CHUNK = 500;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * A file and URL name for a site or category: the name itself when it is plain
 * letters and digits, else a cleaned form with a hash (stable, unique, no % in file names).
 */
export function slug(name: string): string {
  const s = name.normalize('NFC').replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  if (s === name && s !== '') return s;
  return `${s || 'x'}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** A relative path as an href: each segment percent-encoded. */
const href = (rel: string): string => rel.split('/').map(encodeURIComponent).join('/');

interface Doc {
  n: number;
  site: string;
  title: string;
  url: string;
  when: number;
  /** Site-relative path of its article page. */
  page: string;
}

class Writer {
  readonly made = new Set<string>();
  written = 0;
  bytes = 0;
  constructor(readonly out: string) {}

  write(rel: string, data: string | Uint8Array): void {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    const abs = path.join(this.out, rel);
    this.made.add(rel);
    this.bytes += buf.length;
    try {
      const st = statSync(abs);
      if (st.size === buf.length && readFileSync(abs).equals(buf)) return;
    } catch {
      // not there yet
    }
    mkdirSync(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.${process.pid}.tmp`;
    writeFileSync(tmp, buf);
    renameSync(tmp, abs);
    this.written++;
  }
}

function walk(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(path.join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}

export async function buildSite(db: Database, opts: SiteOptions): Promise<SiteReport> {
  const started = Date.now();
  const out = path.resolve(opts.out);
  const root = path.resolve(opts.root);
  if (out === root || out.startsWith(root + path.sep) || root.startsWith(out + path.sep)) throw new SiteError('the site directory must be apart from the archive');
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new SiteError(`${opts.out} is not a directory`);
    if (readdirSync(out).length && !existsSync(path.join(out, MARKER))) {
      throw new SiteError(`${opts.out} is not empty and not a feedmirror site: choose an empty or new directory`);
    }
  }
  if (opts.baseUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(opts.baseUrl);
    } catch {
      throw new SiteError(`--base-url: not a URL: ${opts.baseUrl}`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new SiteError('--base-url: must be http(s)');
  }
  const base = opts.baseUrl && (opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
  const pageSize = Math.min(Math.max(Math.floor(opts.pageSize ?? 50), 1), 1000);
  const tz = opts.timeZone ?? 'Asia/Shanghai';
  const title = opts.title ?? 'feedmirror';
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const when = (ms: number): string => {
    const p = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
  mkdirSync(out, { recursive: true });
  const w = new Writer(out);
  w.write(MARKER, 'A static site written by feedmirror site build; files not written by it are removed on rebuild.\n');
  w.write('style.css', STYLE_CSS);
  w.write('search.js', SEARCH_JS);

  const up = (depth: number): string => '../'.repeat(depth);
  const page = (depth: number, heading: string, body: string, opts2: { script?: boolean } = {}): string => {
    const u = up(depth);
    const csp = [
      "default-src 'none'", "img-src 'self' https: http: data:", "style-src 'self' 'unsafe-inline'", "media-src 'self' https:",
      'frame-src https://www.youtube-nocookie.com https://player.vimeo.com https://player.bilibili.com',
      opts2.script ? "script-src 'self'; connect-src 'self'" : "script-src 'none'", "base-uri 'none'", "form-action 'self'",
    ].join('; ');
    return `<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="referrer" content="no-referrer">
<title>${esc(heading === title ? title : `${heading} · ${title}`)}</title>
<link rel="stylesheet" href="${u}style.css">
<link rel="alternate" type="application/atom+xml" title="${esc(title)}" href="${u}feeds/all.atom">
</head>
<body>
<header class="top"><a class="brand" href="${u}index.html">${esc(title)}</a><a href="${u}day/index.html">按日期 Days</a><a href="${u}search.html">搜索 Search</a><a href="${u}feeds/all.atom">订阅 Feed</a></header>
<main>
${body}
</main>
<footer>feedmirror static mirror</footer>
</body>
</html>
`;
  };
  const itemLi = (d: Doc, depth: number): string =>
    `<li><a href="${up(depth)}${href(d.page)}">${esc(d.title)}</a><span class="meta">${esc(d.site)} · ${esc(when(d.when))}</span></li>`;
  const lists = (dir: string, heading: string, docs: Doc[], extra = ''): void => {
    const pages = Math.max(1, Math.ceil(docs.length / pageSize));
    const name = (p: number): string => (p === 1 ? 'index.html' : `page-${p}.html`);
    for (let p = 1; p <= pages; p++) {
      const slice = docs.slice((p - 1) * pageSize, p * pageSize);
      const nav = pages > 1
        ? `<nav class="pages"><span>${p > 1 ? `<a rel="prev" href="${name(p - 1)}">← 较新 Newer</a>` : ''}</span><span>${p} / ${pages}</span><span>${p < pages ? `<a rel="next" href="${name(p + 1)}">较旧 Older →</a>` : ''}</span></nav>`
        : '';
      w.write(`${dir}/${name(p)}`, page(2, heading, `<h1>${esc(heading)}</h1>${extra}<ul class="items">${slice.map((d) => itemLi(d, 2)).join('')}</ul>${nav}`));
    }
  };

  // Articles, newest first; their number is their place in the search index.
  const rows = db.prepare(`SELECT id, site, url, title, content_hash, time, first_seen, updated, archive_id, path FROM items
    WHERE missing = 0 ORDER BY coalesce(time, first_seen) DESC, id DESC`).iterate() as Iterable<Row>;
  const docs: Doc[] = [];
  const postings = new Map<string, number[]>();
  const served = new Served({ root, images: opts.images });
  for (const r of rows) {
    const e = entryOf(r, served);
    if (!e) continue;
    const n = docs.length;
    const d: Doc = { n, site: r.site, title: e.title, url: e.url, when: e.published, page: `a/${slug(r.site)}/${r.archive_id}.html` };
    docs.push(d);
    const siteLink = `../../site/${href(slug(r.site))}/index.html`;
    w.write(d.page, page(2, e.title, `<article>
<h1>${esc(e.title)}</h1>
<p class="meta"><a href="${siteLink}">${esc(r.site)}</a> · <time datetime="${new Date(e.published).toISOString()}">${esc(when(e.published))}</time>${e.url ? ` · <a class="original" href="${esc(e.url)}" rel="noopener noreferrer">原文 Original</a>` : ''}</p>
<article class="body">${e.html}</article>
</article>`));
    for (const t of docTokens(`${e.title} ${htmlToText(e.html)}`)) {
      let p = postings.get(t);
      if (!p) postings.set(t, (p = []));
      p.push(n);
    }
  }

  // Per-site and per-day lists.
  const bySite = new Map<string, Doc[]>();
  const byDay = new Map<string, Doc[]>();
  for (const d of docs) {
    (bySite.get(d.site) ?? bySite.set(d.site, []).get(d.site)!).push(d);
    const day = when(d.when).slice(0, 10);
    (byDay.get(day) ?? byDay.set(day, []).get(day)!).push(d);
  }
  const feedLinks = (depth: number, rel: string): string =>
    `<p class="meta">订阅 Feeds: ${FORMATS.map((f) => `<a href="${up(depth)}${href(`${rel}.${f}`)}">${f === 'json' ? 'JSON Feed' : f.toUpperCase()}</a>`).join(' · ')}</p>`;
  for (const [site, list] of bySite) lists(`site/${slug(site)}`, site, list, feedLinks(2, `feeds/site/${slug(site)}`));
  const days = [...byDay.keys()].sort().reverse();
  for (const day of days) lists(`day/${day}`, day, byDay.get(day)!);
  w.write('day/index.html', page(1, '按日期 Days', `<h1>按日期 Days</h1><ul class="days">${days.map((d) => `<li><a href="${d}/index.html">${d}</a> <span class="meta">${byDay.get(d)!.length}</span></li>`).join('')}</ul>`));

  // Front page.
  const sitesHtml = [...bySite.keys()].sort().map((s) => `<li><a href="site/${href(slug(s))}/index.html">${esc(s)}</a> <span class="meta">${bySite.get(s)!.length}</span></li>`).join('');
  w.write('index.html', page(0, title, `<h1>${esc(title)}</h1>
<form class="search" action="search.html" method="get"><input name="q" type="search" placeholder="搜索 Search" aria-label="搜索 Search"><button>搜索</button></form>
<h2>网站 Sites</h2><ul class="sites">${sitesHtml}</ul>
<h2>最新 Newest</h2><ul class="items">${docs.slice(0, pageSize).map((d) => itemLi(d, 0)).join('')}</ul>
<p><a href="day/index.html">按日期浏览 Browse by day →</a></p>
${feedLinks(0, 'feeds/all')}`));

  // Search: the page, the postings sharded by first character, the documents in chunks.
  w.write('search.html', page(0, '搜索 Search', `<h1>搜索 Search</h1>
<form id="q-form" class="search" action="search.html" method="get"><input id="q" name="q" type="search" autofocus placeholder="外相, 崔善姬, Moscow" aria-label="搜索 Search"><button>搜索</button></form>
<p id="status" class="meta" aria-live="polite"></p>
<ul id="results" class="items"></ul>
<noscript><p>搜索需要 JavaScript. Search needs JavaScript.</p></noscript>
<script src="search.js" defer></script>`, { script: true }));
  let total = 0;
  for (const p of postings.values()) total += p.length;
  // About 50,000 postings per shard, so a query loads a few hundred kilobytes at most.
  const shards = Math.min(4096, Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(1, total / 50_000)))));
  const shardMaps: Record<string, number[]>[] = Array.from({ length: shards }, () => ({}));
  for (const [t, p] of postings) {
    let prev = 0;
    shardMaps[shardOf(t, shards)][t] = p.map((n) => { const d = n - prev; prev = n; return d; });
  }
  shardMaps.forEach((m, i) => w.write(`search/ix-${i}.json`, JSON.stringify(m)));
  for (let c = 0; c * DOC_CHUNK < docs.length || c === 0; c++) {
    w.write(`search/docs-${c}.json`, JSON.stringify(docs.slice(c * DOC_CHUNK, (c + 1) * DOC_CHUNK).map((d) => [d.title, d.site, when(d.when), d.page])));
  }
  w.write('search/t2s.json', JSON.stringify(t2sMap()));
  w.write('search/meta.json', JSON.stringify({ version: 1, shards, chunk: DOC_CHUNK, docs: docs.length, limit: SEARCH_LIMIT }));

  // The republished feeds as files.
  const feeds: [string, Selection][] = [['feeds/all', { kind: 'all' }]];
  for (const site of bySite.keys()) feeds.push([`feeds/site/${slug(site)}`, { kind: 'site', site }]);
  for (const c of categories(db)) feeds.push([`feeds/category/${slug(c)}`, { kind: 'category', category: c }]);
  for (const s of savedSearches(db)) feeds.push([`feeds/search/${slug(s.name)}`, { kind: 'search', name: s.name }]);
  const warnings: string[] = [];
  for (const [rel, sel] of feeds) {
    for (const f of FORMATS) {
      const file = `${rel}.${f}`;
      const self = base ? new URL(href(file), base).href : href(path.posix.basename(file));
      try {
        const doc = buildFeed(db, sel, { root, images: opts.images, limit: opts.feedLimit, self, home: base, title });
        w.write(file, render(doc, f));
      } catch (err) {
        if (sel.kind !== 'search') throw err;
        warnings.push(`${file}: ${(err as Error).message}`);
      }
    }
  }

  // Images of the archive image mode: article pages sit as deep as the item files
  // (a/<site>/ beside articles/<site>/), so the archive's relative paths hold as they are.
  const assets = path.join(root, 'assets');
  if (existsSync(assets)) {
    for (const rel of walk(assets)) {
      const target = `assets/${rel}`;
      w.made.add(target);
      const abs = path.join(out, target);
      if (!existsSync(abs)) {
        mkdirSync(path.dirname(abs), { recursive: true });
        cpSync(path.join(assets, rel), abs);
        w.written++;
      }
    }
  }

  // What an earlier build wrote and this one did not.
  let removed = 0;
  for (const rel of walk(out)) {
    if (w.made.has(rel)) continue;
    rmSync(path.join(out, rel), { force: true });
    removed++;
  }
  return { items: docs.length, files: w.made.size, written: w.written, removed, bytes: w.bytes, ms: Date.now() - started, warnings };
}
