// Full text: the article page behind a summary-only item, fetched through the
// project's Fetcher (SSRF guard, size cap, per-host politeness), extracted, and
// laid out like the reference item. The page is kept compressed so that new site
// rules or a new template can be applied to old items (`feedmirror reextract`).
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import { decodeHTML } from 'entities';
import type { Fetcher } from '../fetch/index.ts';
import { decodeHtml, extractPages, loadRules, type SiteRule } from '../extract/index.ts';
import type { Database } from '../store/index.ts';
import { DEFAULT_TEMPLATE, layout } from './template.ts';

export type FulltextMode = 'auto' | 'always' | 'never';
export const FULLTEXT_MODES: readonly FulltextMode[] = ['auto', 'always', 'never'];

/** A feed's own fetch settings, used for its article pages too. */
export interface FetchSettings {
  proxy?: string | null;
  userAgent?: string;
  headers?: Record<string, string>;
}

export interface FullTextOptions {
  fetcher: Fetcher;
  /** Site rules; else loaded from rulesDir. */
  rules?: SiteRule[];
  rulesDir?: string;
  /** `auto` fetches the page when the feed's text is shorter than this (visible characters, default 200). */
  minChars?: number;
  /** Pages of one article joined at most (default 10). */
  maxPages?: number;
  /** Article pages fetched at once (default 4). */
  concurrency?: number;
  /** Layout template (default: the reference layout). */
  template?: string;
  /** Cap on one page, bytes (default 4 MiB); a larger page is neither used nor stored. */
  maxPageBytes?: number;
  log?: { warn(obj: object, msg: string): void };
}

/** One fetched page, as stored. */
export interface Page {
  url: string;
  fetched: number;
  contentType?: string;
  body: Uint8Array;
}

export interface Rendered {
  html: string;
  text: string;
  pages: string[];
}

/** What a full-text attempt gave: the laid-out HTML, or why the feed's own content stays. */
export interface Outcome {
  url: string;
  html?: string;
  page?: Page;
  error?: string;
}

/** The text a reader sees: tags dropped, entities decoded, whitespace removed. */
export function visibleText(html: string): string {
  return decodeHTML(html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '').replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Visible characters, whitespace excluded: a Chinese character counts one, as a Latin letter does. */
export function visibleLength(html: string): number {
  let n = 0;
  for (const ch of visibleText(html)) if (ch !== ' ') n++;
  return n;
}

// A summary cut short says so at its end: an ellipsis, or a "read more" link.
const TRUNCATED = /(\.\.\.|…|⋯|\[\s*\.\.\.\s*\]|阅读全文|查看全文|阅读更多|全文阅读|点击阅读|继续阅读|更多内容|read more|continue reading|read the full (story|article)|full story)\W{0,3}$/iu;

export function isTruncated(html: string): boolean {
  return TRUNCATED.test(visibleText(html));
}

/** Whether a feed's item content calls for its article page. */
export function wantsPage(mode: FulltextMode, html: string, minChars = 200): boolean {
  if (mode === 'never') return false;
  if (mode === 'always') return true;
  return visibleLength(html) < minChars || isTruncated(html);
}

/** RFC 2606 / 6761 names: documentation examples, never anyone's article. */
function reserved(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return true;
  }
  return /(^|\.)(example\.(com|net|org)|example|invalid|test|localhost)$/.test(host) && host !== 'localhost';
}

const HTML_TYPE = /^\s*(text\/html|application\/xhtml\+xml|text\/plain)\b/i;

export class FullText {
  readonly template: string;
  readonly minChars: number;
  readonly concurrency: number;
  private rules_?: SiteRule[];

  constructor(private readonly opts: FullTextOptions) {
    this.template = opts.template ?? DEFAULT_TEMPLATE;
    this.minChars = opts.minChars ?? 200;
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.rules_ = opts.rules;
  }

  /** The site rules (loaded once from rulesDir; a bad rule file is logged, not fatal). */
  rules(): SiteRule[] {
    if (!this.rules_) {
      this.rules_ = [];
      if (this.opts.rulesDir) {
        try {
          const load = loadRules(this.opts.rulesDir);
          this.rules_ = load.rules;
          for (const e of load.errors) this.opts.log?.warn({ rulesDir: this.opts.rulesDir }, `site rule skipped: ${e}`);
        } catch (e) {
          this.opts.log?.warn({ rulesDir: this.opts.rulesDir }, `site rules not loaded: ${(e as Error).message}`);
        }
      }
    }
    return this.rules_;
  }

  /** Fetches one page; throws an Error saying why when there is no usable HTML. */
  async fetchPage(url: string, s: FetchSettings = {}): Promise<Page> {
    const r = await this.opts.fetcher.fetch({
      url, proxy: s.proxy, userAgent: s.userAgent, headers: s.headers,
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1', maxBytes: this.opts.maxPageBytes ?? 4 * 1024 * 1024,
    });
    if (!r.ok || r.notModified || !r.body) throw new Error(r.error?.message ?? `HTTP ${r.status ?? 'error'} for ${url}`);
    if (r.contentType && !HTML_TYPE.test(r.contentType)) throw new Error(`not an HTML page (${r.contentType.split(';')[0]}): ${url}`);
    return { url: r.url || url, fetched: Date.now(), contentType: r.contentType, body: r.body };
  }

  /** Extraction (further pages fetched when a fetcher is there), then the layout template. */
  async render(page: Page, s: FetchSettings = {}): Promise<Rendered> {
    const html = decodeHtml(page.body, page.contentType).text;
    const a = await extractPages(html, {
      url: page.url, rules: this.rules(), maxPages: this.opts.maxPages ?? 10,
      fetchPage: async (u) => {
        const p = await this.fetchPage(u, s);
        return decodeHtml(p.body, p.contentType).text;
      },
    });
    if (!a.text.trim()) throw new Error(`no article found on ${page.url}`);
    return { html: layout({ published: a.published, leadImage: a.leadImage, byline: a.byline, html: a.html }, this.template), text: a.text, pages: a.pages };
  }

  /** Fetch and render; unless `always`, the feed's content is kept when the page gives no more text. Never throws. */
  async run(url: string, feedHtml: string, s: FetchSettings = {}, always = false): Promise<Outcome> {
    let page: Page | undefined;
    try {
      if (reserved(url)) throw new Error(`reserved host name, not fetched: ${url}`);
      page = await this.fetchPage(url, s);
      const r = await this.render(page, s);
      const mine = visibleText(r.html).replace(/ /g, '').length;
      if (!always && mine <= visibleLength(feedHtml)) return { url, page, error: `the page's article is no longer than the feed's content (${mine} characters)` };
      return { url, page, html: r.html };
    } catch (e) {
      return { url, page, error: (e as Error).message };
    }
  }
}

/** Keeps a page (or the reason there is none) for an item. */
export function savePage(db: Database, itemId: number, o: Outcome, now = Date.now()): void {
  const body = o.page ? brotliCompressSync(o.page.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } }) : null;
  db.prepare(`INSERT INTO item_pages (item_id, url, fetched, content_type, body, error) VALUES (?, ?, ?, ?, ?, ?)
              ON CONFLICT (item_id) DO UPDATE SET url = excluded.url, fetched = excluded.fetched, content_type = excluded.content_type,
                body = coalesce(excluded.body, item_pages.body), error = excluded.error`)
    .run(itemId, o.page?.url ?? o.url, o.page?.fetched ?? now, o.page?.contentType ?? null, body, o.error ?? null);
}

export interface PageRow {
  url: string;
  fetched: number;
  contentType?: string;
  page?: Page;
  error?: string;
}

export function loadPage(db: Database, itemId: number): PageRow | undefined {
  const r = db.prepare('SELECT url, fetched, content_type, body, error FROM item_pages WHERE item_id = ?').get(itemId) as
    { url: string; fetched: number; content_type: string | null; body: Buffer | null; error: string | null } | undefined;
  if (!r) return undefined;
  const contentType = r.content_type ?? undefined;
  return {
    url: r.url, fetched: r.fetched, contentType, error: r.error ?? undefined,
    page: r.body ? { url: r.url, fetched: r.fetched, contentType, body: new Uint8Array(brotliDecompressSync(r.body)) } : undefined,
  };
}
