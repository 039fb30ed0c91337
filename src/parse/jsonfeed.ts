// JSON Feed 1.0 / 1.1 (https://www.jsonfeed.org/version/1.1/) into the Feed model.
// Lenient like the XML side: wrong member types are dropped with an error noted,
// never thrown; only text that is not JSON at all gives undefined.
import { parseDate } from './date.ts';
import type { Category, Enclosure, ExtElement, Feed, Item, Link, Media, Person, Text } from './model.ts';

/** Namespace of JSON Feed members the typed model has no field for (kept in `ext`). */
export const JSON_FEED_NS = 'https://jsonfeed.org/version/1.1';

type Obj = Record<string, unknown>;

/** Extension objects deeper than this are cut: `ext` is for simple values. */
const MAX_EXT_DEPTH = 4;

export function parseJsonFeed(text: string, options: { url?: string } = {}): Feed | undefined {
  try {
    return parse(text, options);
  } catch (err) {
    // Defensive: a bug here must not take the caller down with it.
    return finish(emptyFeed(), [`JSON Feed parser failure: ${(err as Error)?.message ?? String(err)}`]);
  }
}

function parse(text: string, options: { url?: string }): Feed | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  const errors: string[] = [];
  const feed = emptyFeed();
  if (!isObj(doc)) {
    errors.push('not a JSON Feed: the top-level value is not an object');
    return finish(feed, errors);
  }
  const version = doc.version;
  if (typeof version === 'string') {
    feed.version = version;
    const format = formatOf(version);
    if (format) feed.format = format;
    else if (Array.isArray(doc.items)) {
      feed.format = 'json11';
      errors.push(`unknown JSON Feed version ${JSON.stringify(version.slice(0, 100))}`);
    }
  } else if (Array.isArray(doc.items)) {
    feed.format = 'json10';
    errors.push('JSON Feed without a version');
  }
  if (feed.format === 'unknown') {
    errors.push('not a JSON Feed: no version and no items');
    return finish(feed, errors);
  }

  const ctx: Ctx = { base: validBase(options.url), errors };
  const title = str(doc, 'title', ctx);
  if (title !== undefined) feed.title = text_(title, 'text');
  const description = str(doc, 'description', ctx);
  if (description !== undefined) feed.subtitle = text_(description, 'text');
  const home = url(doc, 'home_page_url', ctx);
  if (home !== undefined) {
    feed.link = home;
    feed.links.push({ rel: 'alternate', type: 'text/html', href: home });
  }
  const self = url(doc, 'feed_url', ctx);
  if (self !== undefined) {
    feed.feedUrl = self;
    feed.links.push({ rel: 'self', type: 'application/feed+json', href: self });
  }
  const next = url(doc, 'next_url', ctx);
  if (next !== undefined) feed.links.push({ rel: 'next', type: 'application/feed+json', href: next });
  // JSON `icon` is the large timeline image (Atom logo); `favicon` the small one (Atom icon).
  const icon = url(doc, 'icon', ctx);
  if (icon !== undefined) {
    feed.logo = icon;
    feed.image = { url: icon };
  }
  const favicon = url(doc, 'favicon', ctx);
  if (favicon !== undefined) feed.icon = favicon;
  feed.authors = authors(doc, ctx);
  const lang = str(doc, 'language', ctx);
  if (lang !== undefined) feed.lang = lang;
  if (doc.expired === true) feed.expired = true;
  const comment = str(doc, 'user_comment', ctx);
  if (comment !== undefined) feed.ext.push(member('user_comment', comment));
  feed.ext.push(...extensions(doc));

  if (Array.isArray(doc.items)) {
    doc.items.forEach((it, i) => {
      if (isObj(it)) feed.items.push(item(it, ctx));
      else errors.push(`items[${i}] is not an object`);
    });
  } else if (doc.items !== undefined) {
    errors.push('"items" is not an array');
  }
  return finish(feed, errors);
}

interface Ctx {
  base?: string;
  errors: string[];
}

function item(o: Obj, ctx: Ctx): Item {
  const it: Item = {
    links: [], content: [], authors: [], contributors: [], categories: [], enclosures: [],
    media: [], thumbnails: [], itunes: {}, ext: [],
  };
  // 1.0 allowed numeric ids and told readers to coerce them.
  if (typeof o.id === 'string') it.guid = o.id;
  else if (typeof o.id === 'number' && Number.isFinite(o.id)) it.guid = String(o.id);
  else if (o.id !== undefined) ctx.errors.push('item "id" is not a string');
  const link = url(o, 'url', ctx);
  if (link !== undefined) {
    it.link = link;
    it.links.push({ rel: 'alternate', type: 'text/html', href: link });
  }
  const external = url(o, 'external_url', ctx);
  if (external !== undefined) it.links.push({ rel: 'related', href: external });
  const title = str(o, 'title', ctx);
  if (title !== undefined) it.title = text_(title, 'text');
  const html = str(o, 'content_html', ctx);
  if (html !== undefined) it.content.push(text_(html, 'html'));
  const plain = str(o, 'content_text', ctx);
  if (plain !== undefined) it.content.push(text_(plain, 'text'));
  const summary = str(o, 'summary', ctx);
  if (summary !== undefined) it.summary = text_(summary, 'text');
  const image = url(o, 'image', ctx);
  const banner = url(o, 'banner_image', ctx);
  const main = image ?? banner;
  if (main !== undefined) it.image = main;
  if (banner !== undefined) it.ext.push(member('banner_image', banner));
  const published = str(o, 'date_published', ctx);
  if (published !== undefined) {
    it.publishedRaw = published;
    const t = parseDate(published);
    if (t !== undefined) it.published = t;
  }
  const modified = str(o, 'date_modified', ctx);
  if (modified !== undefined) {
    it.updatedRaw = modified;
    const t = parseDate(modified);
    if (t !== undefined) it.updated = t;
  }
  it.authors = authors(o, ctx);
  if (Array.isArray(o.tags)) {
    for (const tag of o.tags) if (typeof tag === 'string' && tag !== '') it.categories.push({ term: tag } satisfies Category);
  } else if (o.tags !== undefined) ctx.errors.push('item "tags" is not an array');
  if (Array.isArray(o.attachments)) {
    for (const a of o.attachments) attachment(a, it, ctx);
  } else if (o.attachments !== undefined) ctx.errors.push('item "attachments" is not an array');
  const lang = str(o, 'language', ctx);
  if (lang !== undefined) it.lang = lang;
  it.ext.push(...extensions(o));
  return it;
}

function attachment(a: unknown, it: Item, ctx: Ctx): void {
  if (!isObj(a)) {
    ctx.errors.push('attachment is not an object');
    return;
  }
  const href = url(a, 'url', ctx);
  if (href === undefined) {
    ctx.errors.push('attachment without "url"');
    return;
  }
  const type = str(a, 'mime_type', ctx);
  const title = str(a, 'title', ctx);
  const size = num(a, 'size_in_bytes', ctx);
  const duration = num(a, 'duration_in_seconds', ctx);
  const enc: Enclosure = { url: href };
  if (type !== undefined) enc.type = type;
  if (size !== undefined) enc.length = size;
  it.enclosures.push(enc);
  const link: Link = { rel: 'enclosure', href };
  if (type !== undefined) link.type = type;
  if (title !== undefined) link.title = title;
  if (size !== undefined) link.length = size;
  it.links.push(link);
  // Media keeps what Enclosure cannot: the duration and the attachment's title.
  const attrs: Record<string, string> = { url: href };
  const media: Media = { url: href, attrs };
  if (type !== undefined) media.type = attrs.mime_type = type;
  if (title !== undefined) attrs.title = title;
  if (size !== undefined) media.fileSize = attrs.size_in_bytes = size;
  if (duration !== undefined) media.duration = attrs.duration_in_seconds = duration;
  it.media.push(media);
}

/** 1.1 `authors`, else the deprecated 1.0 `author`. */
function authors(o: Obj, ctx: Ctx): Person[] {
  const list = Array.isArray(o.authors) ? o.authors : isObj(o.author) ? [o.author] : [];
  if (o.authors !== undefined && !Array.isArray(o.authors)) ctx.errors.push('"authors" is not an array');
  const out: Person[] = [];
  for (const a of list) {
    if (!isObj(a)) continue;
    const p: Person = {};
    const name = str(a, 'name', ctx);
    if (name !== undefined) p.name = name;
    const uri = url(a, 'url', ctx);
    if (uri !== undefined) {
      if (/^mailto:/i.test(uri)) p.email = uri.slice(7);
      else p.uri = uri;
    }
    const avatar = url(a, 'avatar', ctx);
    if (avatar !== undefined) p.avatar = avatar;
    if (p.name !== undefined || p.email !== undefined || p.uri !== undefined || p.avatar !== undefined) out.push(p);
  }
  return out;
}

function formatOf(version: string): 'json10' | 'json11' | undefined {
  const v = version.trim().toLowerCase();
  if (/^https?:\/\/(www\.)?jsonfeed\.org\/version\/1\.1\/?$/.test(v) || v === '1.1') return 'json11';
  if (/^https?:\/\/(www\.)?jsonfeed\.org\/version\/1(\.0)?\/?$/.test(v) || v === '1' || v === '1.0') return 'json10';
  return undefined;
}

function str(o: Obj, key: string, ctx: Ctx): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  ctx.errors.push(`"${key}" is not a string`);
  return undefined;
}

/** A number kept as its decimal text (the model keeps lengths as found). */
function num(o: Obj, key: string, ctx: Ctx): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v)) return v.trim();
  ctx.errors.push(`"${key}" is not a number`);
  return undefined;
}

function url(o: Obj, key: string, ctx: Ctx): string | undefined {
  const v = str(o, key, ctx);
  if (v === undefined || v.trim() === '') return undefined;
  return resolve(v.trim(), ctx.base);
}

function resolve(ref: string, base: string | undefined): string {
  // Absolute URLs stay as written; only relative references need the base.
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) return ref;
  try {
    return new URL(ref, base).href;
  } catch {
    // A relative reference without a usable base stays as written.
    return ref;
  }
}

function validBase(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

function text_(value: string, type: Text['type']): Text {
  return { value, type };
}

function member(name: string, value: string): ExtElement {
  return { ns: JSON_FEED_NS, prefix: '', name, attrs: {}, value, children: [] };
}

/** `_`-prefixed extension objects, as ExtElements: scalars become values, arrays repeat the name. */
function extensions(o: Obj): ExtElement[] {
  const out: ExtElement[] = [];
  for (const [key, v] of Object.entries(o)) {
    if (key.startsWith('_') && key.length > 1) out.push(...toExt(key, v, 0));
  }
  return out;
}

function toExt(name: string, v: unknown, depth: number): ExtElement[] {
  const el: ExtElement = { ns: JSON_FEED_NS, prefix: '', name, attrs: {}, value: '', children: [] };
  if (v === null || v === undefined) return [el];
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    el.value = String(v);
    return [el];
  }
  if (depth >= MAX_EXT_DEPTH) return [];
  if (Array.isArray(v)) return v.flatMap((x) => toExt(name, x, depth + 1));
  if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) el.children.push(...toExt(k, x, depth + 1));
    return [el];
  }
  return [];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function emptyFeed(): Feed {
  return {
    format: 'unknown', encoding: 'utf-8', bozo: false, errors: [],
    links: [], authors: [], contributors: [], categories: [], skipHours: [], skipDays: [],
    itunes: {}, ext: [], items: [],
  };
}

function finish(feed: Feed, errors: string[]): Feed {
  feed.errors = errors;
  if (errors.length > 0) {
    feed.bozo = true;
    feed.bozoReason = errors[0];
  }
  return feed;
}
