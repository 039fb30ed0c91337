// Full-text extraction: the article body, title, byline, date and lead image of a page.
import { extract, matchRule, type Article, type ExtractOptions } from './extract.ts';

export { extract, matchRule, type Article, type ExtractOptions };
export { loadRules, parseFtrConfig, parseJsonRule, RuleError, type SiteRule, type Selector, type RuleLoad } from './rules.ts';
export { selectXPath, XPathError } from './xpath.ts';
export { parseDateText, cleanTitle } from './meta.ts';
export { decodeHtml } from './charset.ts';

export interface PagesOptions extends ExtractOptions {
  url: string;
  /** Fetches a further page (next page, single-page view): the caller's fetcher, with its limits and SSRF guard. */
  fetchPage?: (url: string) => Promise<string>;
  /** Most pages joined, the first included (default 10). */
  maxPages?: number;
}

export interface PagedArticle extends Article {
  /** URLs of the pages joined, in order. */
  pages: string[];
}

/**
 * Extracts an article that may span pages: follows a site rule's single-page link, else
 * next-page links (rule or detected), joining bodies until no next page, a repeated URL,
 * maxPages, or a failed fetch (the pages so far are kept).
 */
export async function extractPages(html: string, options: PagesOptions): Promise<PagedArticle> {
  const first = extract(html, options);
  const fetchPage = options.fetchPage;
  if (!fetchPage) return { ...first, pages: [options.url] };
  if (first.singlePage && first.singlePage !== options.url) {
    try {
      const single = extract(await fetchPage(first.singlePage), { ...options, url: first.singlePage });
      if (single.text) return { ...single, nextPage: undefined, singlePage: undefined, pages: [first.singlePage] };
    } catch { /* keep the paged version */ }
  }
  const max = Math.max(1, options.maxPages ?? 10);
  const pages = [options.url];
  const seen = new Set([options.url]);
  let html_ = first.html;
  let text = first.text;
  let next = first.nextPage;
  while (next && pages.length < max && !seen.has(next)) {
    seen.add(next);
    let page: Article;
    try { page = extract(await fetchPage(next), { ...options, url: next }); } catch { break; }
    if (!page.text || text.includes(page.text)) break;
    pages.push(next);
    html_ += page.html;
    text += '\n' + page.text;
    next = page.nextPage;
  }
  return { ...first, html: html_, text, nextPage: undefined, pages };
}
