// Finding the feed behind a web page: <link rel="alternate"> first, then the
// paths where feeds usually live.
import { Parser } from 'htmlparser2';
import type { Fetcher, FetchRequest, FetchResult } from '../fetch/index.ts';
import { parseFeed } from '../parse/index.ts';
import { normalizeUrl } from './url.ts';

export type FeedKind = 'rss' | 'atom' | 'json';

export interface Candidate {
  url: string;
  title?: string;
  type?: string;
}

export interface Discovery {
  /** The feed taken. */
  url: string;
  kind: FeedKind;
  title?: string;
  siteUrl?: string;
  /** How it was found: the URL itself, a <link> of the page, or a common path. */
  via: 'direct' | 'link' | 'guess';
  /** Every feed the page announced, the taken one included. */
  candidates: Candidate[];
  /** The fetch that returned the feed, for a caller that wants to keep its validators. */
  result: FetchResult;
}

export const COMMON_PATHS = ['/feed', '/rss', '/rss.xml', '/atom.xml', '/feed.xml', '/index.xml', '/feed.json'];

const FEED_TYPES: Record<string, FeedKind> = {
  'application/rss+xml': 'rss',
  'application/rdf+xml': 'rss',
  'application/atom+xml': 'atom',
  'application/feed+json': 'json',
  'application/x.atom+xml': 'atom',
  'application/x-atom+xml': 'atom',
  'text/xml': 'rss',
  'application/xml': 'rss',
};

/** What the bytes are, from their first element or JSON shape; undefined if not a feed. */
export function sniffFeed(body: Uint8Array | undefined): FeedKind | undefined {
  if (!body?.length) return undefined;
  const head = Buffer.from(body.subarray(0, 4096)).toString('latin1').replace(/^(\xef\xbb\xbf|\xff\xfe|\xfe\xff)/, '');
  const t = head.trimStart();
  if (t.startsWith('{')) return /"version"\s*:\s*"https?:\/\/jsonfeed\.org\/version\//.test(head) ? 'json' : undefined;
  // UTF-16 text has NULs between ASCII letters; drop them to find the root element.
  const ascii = head.includes('\0') ? head.replace(/\0/g, '') : head;
  const re = /<([!?]?)([A-Za-z_][\w:.-]*)/g;
  for (let m = re.exec(ascii); m; m = re.exec(ascii)) {
    if (m[1]) continue; // <?xml ...?>, <!DOCTYPE>, <!-- -->
    const name = m[2].toLowerCase();
    if (name === 'rss' || name === 'rdf:rdf' || name.endsWith(':rdf') || name === 'rdf') return 'rss';
    if (name === 'feed' || name.endsWith(':feed')) return 'atom';
    return undefined;
  }
  return undefined;
}

function titleOf(result: FetchResult): { title?: string; siteUrl?: string } {
  try {
    const feed = parseFeed(result.body!, { url: result.url, contentType: result.contentType });
    return { title: feed.title?.value.replace(/\s+/g, ' ').trim() || undefined, siteUrl: feed.link };
  } catch {
    // The parser is the authority; until it answers, a plain <title> will do.
    const text = new TextDecoder().decode(result.body!.subarray(0, 65536));
    const m = /<title[^>]*>(?:<!\[CDATA\[)?([^<\]]*)/i.exec(text) ?? /"title"\s*:\s*"([^"\\]*)"/.exec(text);
    return { title: m?.[1].replace(/\s+/g, ' ').trim() || undefined };
  }
}

/** Feed links announced by an HTML page, resolved against its base URL, in page order. */
export function feedLinks(html: string, pageUrl: string): Candidate[] {
  let base = pageUrl;
  const found: Candidate[] = [];
  const parser = new Parser({
    onopentag(name, a) {
      if (name === 'base' && a.href) {
        try {
          base = new URL(a.href, pageUrl).href;
        } catch {
          // A broken <base> is ignored, as browsers do.
        }
      }
      if (name !== 'link' || !a.href) return;
      const rels = (a.rel ?? '').toLowerCase().split(/\s+/);
      const type = (a.type ?? '').toLowerCase().split(';')[0].trim();
      if (!rels.includes('alternate') && !rels.includes('feed')) return;
      // application/json alternates are mostly REST endpoints (WordPress), so only when they say "feed".
      const kind = FEED_TYPES[type] ?? (type === 'application/json' && /feed/i.test(a.href + (a.title ?? '')) ? 'json' : undefined);
      if (!kind && !(rels.includes('feed') && !type)) return;
      try {
        const url = normalizeUrl(new URL(a.href.trim(), base).href);
        if (!found.some((c) => c.url === url)) found.push({ url, title: a.title?.trim() || undefined, type: type || undefined });
      } catch {
        // Not an http(s) URL: not a feed we can follow.
      }
    },
  }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.write(html.length > 2_000_000 ? html.slice(0, 2_000_000) : html);
  parser.end();
  return found;
}

export interface DiscoverOptions {
  request?: Omit<FetchRequest, 'url'>;
}

/** The feed at `url`, or the one its page points to; throws with the reason when there is none. */
export async function discover(fetcher: Pick<Fetcher, 'fetch'>, input: string, options: DiscoverOptions = {}): Promise<Discovery> {
  const url = normalizeUrl(input);
  const get = (u: string): Promise<FetchResult> => fetcher.fetch({ ...options.request, url: u });
  const first = await get(url);
  if (!first.ok || !first.body) {
    throw new Error(`cannot fetch ${url}: ${first.error?.message ?? `HTTP ${first.status}`}`);
  }
  const kind = sniffFeed(first.body);
  if (kind) {
    return { url: first.permanentRedirect ?? url, kind, via: 'direct', candidates: [], result: first, ...titleOf(first) };
  }
  const html = new TextDecoder().decode(first.body);
  const candidates = feedLinks(html, first.url);
  for (const c of candidates) {
    const r = await get(c.url);
    const k = r.ok ? sniffFeed(r.body) : undefined;
    if (k) {
      const t = titleOf(r);
      return { url: r.permanentRedirect ?? c.url, kind: k, via: 'link', candidates, result: r, title: t.title ?? c.title, siteUrl: t.siteUrl ?? first.url };
    }
  }
  const origin = new URL(first.url).origin;
  for (const path of COMMON_PATHS) {
    const u = origin + path;
    if (candidates.some((c) => c.url === u)) continue;
    const r = await get(u);
    const k = r.ok ? sniffFeed(r.body) : undefined;
    if (k) return { url: r.permanentRedirect ?? u, kind: k, via: 'guess', candidates, result: r, ...titleOf(r), siteUrl: first.url };
  }
  const tried = candidates.length ? ` (announced but not feeds: ${candidates.map((c) => c.url).join(', ')})` : '';
  throw new Error(`no feed found at ${url}: not a feed, no <link rel="alternate"> feed, none at ${COMMON_PATHS.join(' ')}${tried}`);
}
