// extract: the article of one page (URL or file), as text or JSON.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Fetcher } from '../../fetch/index.ts';
import { decodeHtml, extractPages, loadRules, type SiteRule } from '../../extract/index.ts';


export interface ExtractCliOptions {
  url?: string;
  json?: boolean;
  rules?: string;
  maxPages?: string;
  allow?: string[];
  timeout?: string;
  maxBytes?: string;
}

const ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5';

export function register(program: Command): void {
  program
    .command('extract <source>')
    .description('extract the article (title, byline, date, lead image, HTML and text) of a page: a URL, a file, or - for stdin')
    .option('--url <url>', 'the page URL, when the source is a file (base of relative links, selects site rules)')
    .option('--json', 'print the result as JSON')
    .option('--rules <dir>', 'directory of site rules: <domain>.json (CSS) and ftr-site-config <domain>.txt (XPath)')
    .option('--max-pages <n>', 'most pages of a multi-page article to join (URL sources only)', '10')
    .option('--allow <host>', 'a private host, IP or CIDR that may be fetched (SSRF allow-list); repeatable', (v: string, all: string[] = []) => [...all, v])
    .option('--timeout <seconds>', 'whole-fetch deadline per page', '30')
    .option('--max-bytes <n>', 'size cap per page, decompressed', String(8 << 20))
    .action(async (source: string, o: ExtractCliOptions) => {
      process.exitCode = await runExtract(source, o, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
    });
}

export interface Io { out: (s: string) => void; err: (s: string) => void }

/** The command without commander: prints through io, returns the exit status. */
export async function runExtract(source: string, o: ExtractCliOptions, io: Io): Promise<number> {
  try {
    return await run(source, o, io);
  } catch (e) {
    io.err(`feedmirror extract: ${(e as Error).message}\n`);
    return 1;
  }
}

function positive(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${v}"`);
  return n;
}

async function run(source: string, o: ExtractCliOptions, io: Io): Promise<number> {
  let rules: SiteRule[] | undefined;
  if (o.rules) {
    const loaded = loadRules(o.rules);
    for (const err of loaded.errors) io.err(`rule skipped: ${err}\n`);
    rules = loaded.rules;
  }
  const isUrl = /^https?:\/\//i.test(source);
  const maxPages = Math.floor(positive(o.maxPages ?? '10', '--max-pages'));
  const fetcher = isUrl ? new Fetcher({
    deadlineMs: positive(o.timeout ?? '30', '--timeout') * 1000,
    maxBytes: Math.floor(positive(o.maxBytes ?? String(8 << 20), '--max-bytes')),
    allow: o.allow,
  }) : undefined;
  try {
    const get = async (url: string): Promise<{ html: string; url: string }> => {
      const r = await fetcher!.fetch({ url, accept: ACCEPT });
      if (r.error) throw new Error(`${url}: ${r.error.message}`);
      if (!r.ok || !r.body) throw new Error(`${url}: HTTP ${r.status ?? '?'}`);
      return { html: decodeHtml(r.body, r.contentType).text, url: r.url };
    };
    let html: string;
    let url = o.url;
    if (isUrl) {
      const page = await get(source);
      html = page.html;
      url = o.url ?? page.url;
    } else {
      const bytes = source === '-' ? await readStdin() : await readFile(source);
      html = decodeHtml(bytes).text;
    }
    if (url !== undefined) {
      try { new URL(url); } catch { throw new Error(`--url is not a URL: "${url}"`); }
    }
    const article = await extractPages(html, {
      url: url ?? '', rules, maxPages: isUrl ? maxPages : 1,
      fetchPage: fetcher ? async (u) => (await get(u)).html : undefined,
    });
    if (!url) article.pages = [];
    const published = article.published !== undefined ? new Date(article.published).toISOString() : undefined;
    if (o.json) {
      io.out(JSON.stringify({ ...article, published, publishedMs: article.published }, null, 2) + '\n');
      return 0;
    }
    const lines = [
      `Title: ${article.title ?? ''}`,
      `Byline: ${article.byline ?? ''}`,
      `Published: ${published ?? ''}`,
      `Lead image: ${article.leadImage ?? ''}`,
      `Language: ${article.lang ?? ''}`,
    ];
    if (article.pages.length > 1) lines.push(`Pages: ${article.pages.join(' ')}`);
    io.out(`${lines.join('\n')}\n\n--- HTML ---\n${article.html}\n\n--- Text ---\n${article.text}\n`);
    if (!article.text) io.err('feedmirror extract: no article text found\n');
    return 0;
  } finally {
    await fetcher?.close();
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > 64 << 20) throw new Error('stdin larger than 64 MiB');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
