// Page metadata: title, byline, publication date, lead image, language.
import { elements, hasCjk, squash, textOf, type Document, type Element } from './dom.ts';

export interface Meta {
  title?: string;
  byline?: string;
  published?: number;
  leadImage?: string;
  lang?: string;
  siteName?: string;
}

/** Every element of the page once, and by tag name: one walk serves all metadata look-ups. */
interface Index { all: Element[]; tag: (name: string) => Element[] }

function index(doc: Document): Index {
  const all = elements(doc);
  const by = new Map<string, Element[]>();
  for (const e of all) {
    const list = by.get(e.name);
    if (list) list.push(e); else by.set(e.name, [e]);
  }
  return { all, tag: (name) => by.get(name) ?? [] };
}

/** meta name/property/itemprop (lower case) → content, first occurrence wins. */
export function metaMap(doc: Document, idx: Index = index(doc)): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of idx.tag('meta')) {
    const key = (e.attribs.property ?? e.attribs.name ?? e.attribs.itemprop ?? e.attribs['http-equiv'] ?? '').toLowerCase().trim();
    const v = e.attribs.content;
    if (key && v && v.trim() && !m.has(key)) m.set(key, v.trim());
  }
  return m;
}

/** Flattened JSON-LD objects of the page (graphs and arrays unrolled). */
export function jsonLd(doc: Document, idx: Index = index(doc)): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const s of idx.tag('script')) {
    if (!/ld\+json/i.test(s.attribs.type ?? '')) continue;
    let data: unknown;
    try { data = JSON.parse(textOf(s).trim()); } catch { continue; }
    const queue = [data];
    while (queue.length && out.length < 50) {
      const d = queue.shift();
      if (Array.isArray(d)) queue.push(...d);
      else if (d && typeof d === 'object') {
        out.push(d as Record<string, unknown>);
        const g = (d as Record<string, unknown>)['@graph'];
        if (g) queue.push(g);
      }
    }
  }
  return out;
}

const ARTICLE_TYPES = /Article|Posting|Report|Blog|News/i;

function ldArticle(ld: Record<string, unknown>[]): Record<string, unknown> | undefined {
  return ld.find((o) => {
    const t = o['@type'];
    return (Array.isArray(t) ? t.join(' ') : String(t ?? '')).match(ARTICLE_TYPES);
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function ldName(v: unknown): string | undefined {
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) { const names = v.map(ldName).filter(Boolean); return names.length ? names.join(', ') : undefined; }
  if (v && typeof v === 'object') return str((v as Record<string, unknown>).name);
  return undefined;
}

function ldImage(v: unknown): string | undefined {
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) return ldImage(v[0]);
  if (v && typeof v === 'object') return str((v as Record<string, unknown>).url);
  return undefined;
}

/** A trailing " | Site", "_新浪网", "-地方新闻": a separator and a short segment. */
const SUFFIX = /(?:\s+[|\-–—·»:]\s+|\s*[|｜_–—·»]\s*|(?<=[\u3400-\u9fff）」》])-)([^|｜_–—·»]{1,30})$/;
/** The same at the front: "Opinion | Title", "新闻中心_". */
const PREFIX = /^([^|｜_–—·»]{1,20})(?:\s+[|\-–—·»:]\s+|\s*[|｜_»]\s*)/;

const longEnough = (t: string): boolean => (hasCjk(t) ? t.replace(/\s/g, '').length >= 5 : t.split(/\s+/).length >= 3);

/** Drops site-name suffixes ("标题_新浪网", "标题-地方新闻-某某网", "Title | Site") while what remains still looks like a title. */
export function cleanTitle(raw: string, siteName?: string): string {
  let t = squash(raw);
  if (siteName) {
    for (const sep of [' | ', ' - ', ' – ', ' — ', '_', '|', '-', '｜', ' · ']) {
      if (t.endsWith(sep + siteName) && longEnough(t.slice(0, -(sep + siteName).length))) t = t.slice(0, -(sep + siteName).length).trim();
    }
  }
  for (let i = 0; i < 4; i++) {
    const m = t.match(SUFFIX);
    if (!m || m.index === undefined) break;
    const rest = t.slice(0, m.index).trim();
    if (!longEnough(rest)) break;
    // A long last part is more likely the title itself than a site name ("Site | A long headline ...").
    if (m[1].trim().length > rest.length) break;
    t = rest;
  }
  const p = t.match(PREFIX);
  if (p && longEnough(t.slice(p[0].length)) && p[1].length * 3 < t.length - p[0].length && /^(opinion|analysis|review|news|video|photos?|live|评论|视频|图集|专题)$/i.test(p[1].trim())) {
    t = t.slice(p[0].length).trim();
  }
  return t;
}

function findTitle(idx: Index, meta: Map<string, string>, ld: Record<string, unknown> | undefined, site?: string): string | undefined {
  const titleEl = idx.tag('title')[0];
  const docTitle = titleEl ? squash(textOf(titleEl, 2000)) : '';
  const h1s = idx.tag('h1').map((h) => squash(textOf(h, 500)).replace(/\s*\[\s*(编辑|編輯|edit)[^\]]{0,20}\]\s*$/i, '')).filter((t) => t.length > 1);
  const og = meta.get('og:title') ?? meta.get('twitter:title') ?? str(ld?.headline);
  // An h1 that the <title> contains is the article title without the site suffix.
  for (const h of h1s) {
    if (docTitle === h || (docTitle.startsWith(h) && /^\s*[|｜_\-–—·:»]/.test(docTitle.slice(h.length)))) return h;
    if (docTitle && docTitle.includes(h) && h.length >= 5) return h;
  }
  if (og) {
    for (const h of h1s) if (og.includes(h) && h.length >= 5) return h;
    return cleanTitle(og, site);
  }
  if (docTitle) return cleanTitle(docTitle, site);
  return h1s[0];
}

const DATE_KEYS = [
  'article:published_time', 'og:published_time', 'published_time', 'datepublished', 'pubdate', 'publishdate', 'publish_date',
  'publish-date', 'article.published', 'article_date_original', 'sailthru.date', 'dc.date.issued', 'dc.date', 'dcterms.created',
  'date', 'parsely-pub-date', 'cxenseparse:recs:publishtime', 'og:release_date', 'weibo: article:create_at', 'article:modified_time', 'og:updated_time',
];

const CN_DATE = /((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?/;

/**
 * Parses the date forms found on pages. A date without a zone on a CJK page is
 * taken as UTC+8 (China/Hong Kong/Taiwan; off by one hour for Japan and Korea),
 * elsewhere as UTC.
 */
export function parseDateText(text: string, cjk = false): number | undefined {
  const s = text.trim();
  if (!s) return undefined;
  if (/^\d{10}$/.test(s)) return Number(s) * 1000;
  if (/^\d{13}$/.test(s)) return Number(s);
  const iso = s.match(/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', se = '0', zone] = iso;
    const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se);
    if (zone) {
      if (/z/i.test(zone)) return utc;
      const z = zone.replace(':', '');
      const off = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
      return utc - off * 60000;
    }
    return utc - (cjk ? 8 * 3600000 : 0);
  }
  const cn = s.match(CN_DATE);
  if (cn) return fromParts(cn, cjk);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function fromParts(m: RegExpMatchArray, cjk: boolean): number | undefined {
  const [, y, mo, d, h = '0', mi = '0', se = '0'] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +se > 59) return undefined;
  return Date.UTC(+y, +mo - 1, +d, +h, +mi, +se) - (cjk ? 8 * 3600000 : 0);
}

/** Placeholder dates (Gannett's 1901-01-01) and far-future ones are no dates. */
const plausible = (t: number | undefined): number | undefined => (t !== undefined && t > Date.UTC(1990, 0, 1) && t < Date.now() + 2 * 86400000 ? t : undefined);

function findDate(idx: Index, meta: Map<string, string>, ld: Record<string, unknown> | undefined, cjk: boolean): number | undefined {
  for (const k of DATE_KEYS) {
    const v = meta.get(k);
    const t = plausible(v ? parseDateText(v, cjk) : undefined);
    if (t !== undefined) return t;
  }
  for (const k of ['datePublished', 'dateCreated', 'dateModified']) {
    const v = str(ld?.[k]);
    const t = plausible(v ? parseDateText(v, cjk) : undefined);
    if (t !== undefined) return t;
  }
  for (const e of idx.tag('time')) {
    const v = e.attribs.datetime ?? textOf(e, 100);
    const t = plausible(parseDateText(v, cjk));
    if (t !== undefined) return t;
  }
  // Chinese pages print the date beside the title: look in short date/time/info elements, then near the h1.
  for (const e of idx.all) {
    const h = `${e.attribs.class ?? ''} ${e.attribs.id ?? ''}`;
    if (!/date|time|pub|info|source|meta/i.test(h)) continue;
    const m = textOf(e, 300).slice(0, 300).match(CN_DATE);
    if (m) { const t = plausible(fromParts(m, cjk)); if (t !== undefined) return t; }
  }
  const h1 = idx.tag('h1')[0];
  let n = h1?.parent;
  for (let i = 0; n && i < 3; i++, n = n.parent) {
    const m = textOf(n, 2000).slice(0, 2000).match(CN_DATE);
    if (m) { const t = plausible(fromParts(m, cjk)); if (t !== undefined) return t; }
  }
  return undefined;
}

function findByline(idx: Index, meta: Map<string, string>, ld: Record<string, unknown> | undefined): string | undefined {
  const m = meta.get('author') ?? meta.get('article:author') ?? meta.get('byl') ?? meta.get('sailthru.author') ?? meta.get('dc.creator');
  if (m && !/^https?:/.test(m) && !/^[\d\s]+$/.test(m)) return m;
  const fromLd = ldName(ld?.author);
  if (fromLd) return fromLd;
  for (const e of idx.all) {
    const h = `${e.attribs.class ?? ''} ${e.attribs.id ?? ''}`;
    if (/info|source|author|date|meta|byline/i.test(h)) {
      const m = textOf(e, 300).slice(0, 300).match(/(?:作者|作\s*者|记者|文)\s*[:：／/|]\s*([^\s|｜/／　]{2,20}(?:[ 、][^\s|｜/／　:：]{2,4})*)/);
      if (m) return m[1].trim();
    }
    if (e.attribs.rel === 'author' || e.attribs.itemprop === 'author' || /(^|\s)(byline|author|author-name)(\s|$)/i.test(e.attribs.class ?? '')) {
      const t = squash(textOf(e, 200));
      if (t && t.length < 100) return t.replace(/^(by|作者[:：]?)\s*/i, '');
    }
  }
  return undefined;
}

export function readMeta(doc: Document, cjkBody: boolean): Meta {
  const idx = index(doc);
  const meta = metaMap(doc, idx);
  const ld = jsonLd(doc, idx);
  const art = ldArticle(ld);
  const siteName = meta.get('og:site_name') ?? meta.get('application-name');
  const title = findTitle(idx, meta, art, siteName);
  const htmlEl = idx.tag('html')[0];
  const declared = htmlEl?.attribs.lang ?? meta.get('content-language') ?? meta.get('og:locale');
  return {
    title,
    byline: findByline(idx, meta, art),
    published: findDate(idx, meta, art, cjkBody),
    leadImage: meta.get('og:image') ?? meta.get('og:image:url') ?? meta.get('twitter:image') ?? meta.get('twitter:image:src') ?? ldImage(art?.image),
    lang: declared?.replace('_', '-'),
    siteName,
  };
}

export type { Element };
