// The parsed model as a JSON Feed 1.1 document (https://www.jsonfeed.org/version/1.1/).
// What JSON Feed cannot carry goes into `_feedmirror` extension objects, so the document is
// a lossless view of the model except for raw extension elements (`ext`). The contract is
// docs/parse-output.md: change both together.
import { createHash } from 'node:crypto';
import type {
  Category, Enclosure, Feed, Image, Item, Link, Media, Person, Source, Text,
} from '../parse/model.ts';
import { plainText } from './text.ts';

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

export interface JsonFeedAuthor {
  name?: string;
  url?: string;
  avatar?: string;
}

export interface JsonFeedAttachment {
  url: string;
  mime_type: string;
  title?: string;
  size_in_bytes?: number;
  duration_in_seconds?: number;
}

export interface JsonFeedItem {
  id: string;
  url?: string;
  external_url?: string;
  title?: string;
  content_html?: string;
  content_text?: string;
  summary?: string;
  image?: string;
  date_published?: string;
  date_modified?: string;
  authors?: JsonFeedAuthor[];
  tags?: string[];
  language?: string;
  attachments?: JsonFeedAttachment[];
  _feedmirror: Record<string, unknown>;
}

export interface JsonFeed {
  version: string;
  title: string;
  home_page_url?: string;
  feed_url?: string;
  description?: string;
  next_url?: string;
  icon?: string;
  favicon?: string;
  authors?: JsonFeedAuthor[];
  language?: string;
  expired?: boolean;
  hubs?: { type: string; url: string }[];
  items: JsonFeedItem[];
  _feedmirror: Record<string, unknown>;
}

/** The feed as a JSON Feed 1.1 document with `_feedmirror` extensions. A pure function of the model. */
export function toJsonFeed(feed: Feed): JsonFeed {
  // Keys are added in the order a reader expects them: JSON Feed fields, items, then extensions.
  const out = { version: JSON_FEED_VERSION, title: plainText(feed.title) ?? '' } as JsonFeed;
  set(out, 'home_page_url', feed.link);
  set(out, 'feed_url', feed.feedUrl);
  set(out, 'description', nonEmpty(plainText(feed.subtitle ?? feed.info ?? feed.summary)));
  set(out, 'next_url', linkWithRel(feed.links, 'next'));
  set(out, 'icon', feed.logo ?? feed.image?.url ?? feed.itunes['image']);
  set(out, 'favicon', feed.icon);
  set(out, 'authors', authors(feed.authors));
  set(out, 'language', feed.lang);
  if (feed.expired) out.expired = true;
  const hubs = feed.links.filter((l) => l.rel === 'hub').map((l) => ({ type: 'WebSub', url: l.href }));
  if (hubs.length) out.hubs = hubs;
  out.items = feed.items.map(item);

  const x: Record<string, unknown> = {
    format: feed.format,
    encoding: feed.encoding,
    bozo: feed.bozo,
    bozo_reason: feed.bozo ? (feed.bozoReason ?? feed.errors[0] ?? 'not well-formed') : null,
    errors: feed.errors,
  };
  set(x, 'version', feed.version);
  set(x, 'id', feed.id);
  set(x, 'title', text(feed.title));
  set(x, 'subtitle', text(feed.subtitle));
  set(x, 'summary', text(feed.summary));
  set(x, 'info', text(feed.info));
  set(x, 'rights', text(feed.rights));
  set(x, 'links', nonEmptyList(feed.links.map(link)));
  dates(x, feed, ['published', 'updated', 'created']);
  set(x, 'authors', nonEmptyList(feed.authors.map(person)));
  set(x, 'contributors', nonEmptyList(feed.contributors.map(person)));
  set(x, 'publisher', feed.publisher && person(feed.publisher));
  set(x, 'generator', feed.generator && clean({ ...feed.generator }));
  set(x, 'categories', nonEmptyList(feed.categories.map(category)));
  set(x, 'image', feed.image && image(feed.image));
  set(x, 'icon', feed.icon);
  set(x, 'logo', feed.logo);
  set(x, 'docs', feed.docs);
  set(x, 'cloud', feed.cloud && { ...feed.cloud });
  set(x, 'text_input', feed.textInput && clean({ ...feed.textInput }));
  set(x, 'ttl', feed.ttl);
  set(x, 'skip_hours', nonEmptyList(feed.skipHours));
  set(x, 'skip_days', nonEmptyList(feed.skipDays));
  set(x, 'update_period', feed.updatePeriod);
  set(x, 'update_frequency', feed.updateFrequency);
  set(x, 'new_location', feed.newLocation);
  set(x, 'itunes', nonEmptyRecord(feed.itunes));
  out._feedmirror = x;
  return out;
}

function item(it: Item): JsonFeedItem {
  const out = { id: nonEmpty(it.guid?.trim()) ?? nonEmpty(it.link) ?? syntheticId(it) } as JsonFeedItem;
  set(out, 'url', it.link);
  set(out, 'external_url', linkWithRel(it.links, 'related'));
  set(out, 'title', nonEmpty(plainText(it.title)));

  // JSON Feed wants one of content_html/content_text; a summary stands in when there is no content.
  let from: 'content' | 'summary' | 'none' = 'none';
  for (const c of it.content) {
    if (c.src !== undefined && c.value === '') continue;
    if (c.mime !== undefined) continue; // base64 or other non-text payloads
    if (c.type === 'text') {
      if (out.content_text === undefined) out.content_text = c.value;
    } else if (out.content_html === undefined) out.content_html = c.value;
    from = 'content';
  }
  if (from === 'none' && it.summary && it.summary.mime === undefined) {
    if (it.summary.type === 'text') out.content_text = it.summary.value;
    else out.content_html = it.summary.value;
    from = 'summary';
  }
  if (from === 'none') out.content_text = '';

  set(out, 'summary', nonEmpty(plainText(it.summary)));
  set(out, 'image', it.image);
  const published = it.published ?? it.created ?? it.updated;
  set(out, 'date_published', rfc3339(published));
  set(out, 'date_modified', rfc3339(it.updated));
  set(out, 'authors', authors(it.authors));
  const tags = [...new Set(it.categories.map((c) => c.term.trim()).filter((t) => t !== ''))];
  if (tags.length) out.tags = tags;
  set(out, 'language', it.lang ?? it.title?.lang ?? it.content[0]?.lang);
  const atts = attachments(it);
  if (atts.length) out.attachments = atts;

  const x: Record<string, unknown> = {};
  set(x, 'guid', it.guid);
  set(x, 'guid_is_permalink', it.guidIsPermalink);
  if (it.linkFromGuid) x['link_from_guid'] = true;
  set(x, 'title_type', it.title?.type);
  if (it.title && it.title.type !== 'text') x['title_html'] = it.title.value;
  set(x, 'summary_type', it.summary?.type);
  if (it.summary && it.summary.type !== 'text' && from !== 'summary') x['summary_html'] = it.summary.value;
  x['content_from'] = from;
  set(x, 'content_types', nonEmptyList(it.content.map((c) => c.type)));
  // Contents beyond the first of each kind (rare: several atom:content or content:encoded).
  const extra = extraContent(it, out);
  if (extra.length) x['content_more'] = extra;
  set(x, 'links', nonEmptyList(it.links.map(link)));
  set(x, 'enclosures', nonEmptyList(it.enclosures.map(enclosure)));
  set(x, 'comments', it.comments);
  set(x, 'comments_feed', it.commentsFeed);
  set(x, 'comment_api', it.commentApi);
  set(x, 'comment_count', it.commentCount);
  set(x, 'source', it.source && source(it.source));
  set(x, 'categories', nonEmptyList(it.categories.map(category)));
  set(x, 'media', nonEmptyList(it.media.map(media)));
  set(x, 'thumbnails', nonEmptyList(it.thumbnails.map(media)));
  dates(x, it, ['published', 'updated', 'created', 'expired']);
  set(x, 'authors', nonEmptyList(it.authors.map(person)));
  set(x, 'contributors', nonEmptyList(it.contributors.map(person)));
  set(x, 'publisher', it.publisher && person(it.publisher));
  set(x, 'rights', text(it.rights));
  set(x, 'itunes', nonEmptyRecord(it.itunes));
  out._feedmirror = x;
  return out;
}

function extraContent(it: Item, out: JsonFeedItem): Record<string, unknown>[] {
  const rest: Record<string, unknown>[] = [];
  let usedText = false;
  let usedHtml = false;
  for (const c of it.content) {
    const isText = c.type === 'text';
    if (c.mime === undefined && !(c.src !== undefined && c.value === '')) {
      if (isText && !usedText && out.content_text === c.value) { usedText = true; continue; }
      if (!isText && !usedHtml && out.content_html === c.value) { usedHtml = true; continue; }
    }
    rest.push(text(c)!);
  }
  return rest;
}

function attachments(it: Item): JsonFeedAttachment[] {
  const duration = it.enclosures.length === 1 ? parseDuration(it.itunes['duration']) : undefined;
  const seen = new Set<string>();
  const out: JsonFeedAttachment[] = [];
  for (const e of it.enclosures) {
    if (!e.url || seen.has(e.url)) continue;
    seen.add(e.url);
    const a: JsonFeedAttachment = { url: e.url, mime_type: e.type || 'application/octet-stream' };
    const size = e.length !== undefined && /^\s*\d{1,15}\s*$/.test(e.length) ? Number(e.length) : undefined;
    if (size !== undefined && size > 0) a.size_in_bytes = size;
    if (duration !== undefined) a.duration_in_seconds = duration;
    out.push(a);
  }
  return out;
}

/** itunes:duration: "SS", "MM:SS" or "HH:MM:SS" (fractions allowed) to seconds. */
export function parseDuration(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const parts = s.trim().split(':');
  if (parts.length > 3 || !parts.every((p) => /^\d{1,9}(\.\d+)?$/.test(p))) return undefined;
  const seconds = parts.reduce((acc, p) => acc * 60 + Number(p), 0);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/**
 * RFC 3339 in UTC ("2024-10-30T15:17:01Z", milliseconds only when not zero), or undefined for
 * dates outside years 0000-9999, which RFC 3339 cannot write.
 */
export function rfc3339(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  if (ms < -62167219200000 || ms > 253402300799999) return undefined;
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}

type DateKey = 'published' | 'updated' | 'created' | 'expired';

function dates(x: Record<string, unknown>, d: object, keys: DateKey[]): void {
  const r = d as Record<string, unknown>;
  for (const k of keys) {
    set(x, k, rfc3339(r[k] as number | undefined));
    set(x, `${k}_raw`, r[`${k}Raw`]);
  }
}

// An item with neither guid nor link still needs a stable id: hash what identifies it.
function syntheticId(it: Item): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([it.title?.value ?? '', it.publishedRaw ?? it.updatedRaw ?? '', it.summary?.value ?? '',
    it.content[0]?.value ?? '', it.enclosures[0]?.url ?? '']));
  return 'urn:feedmirror:item:' + h.digest('hex').slice(0, 32);
}

function authors(people: Person[]): JsonFeedAuthor[] | undefined {
  const out: JsonFeedAuthor[] = [];
  for (const p of people) {
    const a: JsonFeedAuthor = {};
    set(a, 'name', nonEmpty(p.name ?? p.raw ?? p.email));
    set(a, 'url', p.uri ?? (p.email ? `mailto:${p.email}` : undefined));
    if (a.name !== undefined || a.url !== undefined) out.push(a);
  }
  return out.length ? out : undefined;
}

function linkWithRel(links: Link[], rel: string): string | undefined {
  return links.find((l) => l.rel === rel)?.href;
}

function text(t: Text | undefined): Record<string, unknown> | undefined {
  return t && clean({ value: t.value, type: t.type, lang: t.lang, base: t.base, src: t.src, mime: t.mime });
}
function link(l: Link): Record<string, unknown> {
  return clean({ href: l.href, rel: l.rel, type: l.type, title: l.title, length: l.length, hreflang: l.hreflang });
}
function person(p: Person): Record<string, unknown> {
  return clean({ name: p.name, email: p.email, uri: p.uri, raw: p.raw });
}
function category(c: Category): Record<string, unknown> {
  return clean({ term: c.term, scheme: c.scheme, label: c.label });
}
function enclosure(e: Enclosure): Record<string, unknown> {
  return clean({ url: e.url, type: e.type, length: e.length });
}
function image(i: Image): Record<string, unknown> {
  return clean({ url: i.url, title: i.title, link: i.link, width: i.width, height: i.height, description: i.description });
}
function media(m: Media): Record<string, unknown> {
  return clean({
    url: m.url, type: m.type, medium: m.medium, width: m.width, height: m.height,
    file_size: m.fileSize, duration: m.duration, attrs: nonEmptyRecord(m.attrs),
  });
}
function source(s: Source): Record<string, unknown> {
  const x = clean({
    title: s.title, url: s.url, id: s.id, links: s.links && nonEmptyList(s.links.map(link)),
    authors: s.authors && nonEmptyList(s.authors.map(person)), rights: text(s.rights), subtitle: text(s.subtitle),
  });
  set(x, 'updated', rfc3339(s.updated));
  set(x, 'updated_raw', s.updatedRaw);
  return x;
}

function set(o: object, k: string, v: unknown): void {
  if (v !== undefined) (o as Record<string, unknown>)[k] = v;
}
function clean(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
function nonEmptyList<T>(a: T[]): T[] | undefined {
  return a.length ? a : undefined;
}
function nonEmptyRecord(r: Record<string, string> | undefined): Record<string, string> | undefined {
  return r && Object.keys(r).length ? { ...r } : undefined;
}
