// Our Feed model seen in the Python feedparser result vocabulary (README 1.4).
// One description of the model for every case: no per-test rules here.
import type { Category, ExtElement, Feed, Image, Item, Link, Person, Source, Text } from '../../src/parse/index.ts';

type View = Record<string, unknown>;

/** Conventional prefixes feedparser flattens namespaced elements with. */
export const NS_PREFIX: Record<string, string> = {
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://purl.org/rss/1.0/modules/syndication/': 'sy',
  'http://purl.org/rss/1.0/modules/slash/': 'slash',
  'http://wellformedweb.org/CommentAPI/': 'wfw',
  'http://purl.org/syndication/thread/1.0': 'thr',
  'http://www.w3.org/2005/Atom': '',
  'http://purl.org/atom/ns#': '',
  'http://web.resource.org/cc/': 'cc',
  'http://creativecommons.org/ns#license': 'cc',
  'http://backend.userland.com/creativeCommonsRssModule': 'creativecommons',
  'http://www.georss.org/georss': 'georss',
  'http://www.w3.org/2003/01/geo/wgs84_pos#': 'geo',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://purl.org/rss/1.0/': '',
  'http://backend.userland.com/rss2': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://webns.net/mvcb/': 'admin',
  'http://madskills.com/public/xml/rss/module/trackback/': 'trackback',
  'http://purl.org/rss/1.0/modules/image/': 'image',
  'http://purl.org/rss/1.0/modules/taxonomy/': 'taxo',
  'http://www.google.com/schemas/reader/atom/': 'gr',
  'http://podlove.org/simple-chapters': 'psc',
  'https://podcastindex.org/namespace/1.0': 'podcast',
};

const FEEDPARSER_VERSION: Record<string, string> = { json10: 'json1', json11: 'json11', unknown: '' };

export interface FeedparserContext {
  /** feedparser's codec name for the encoding actually used. */
  encoding: string;
}

export function feedparserView(f: Feed, ctx: FeedparserContext): View {
  return {
    bozo: f.bozo ? 1 : 0,
    bozo_exception: f.bozo ? exception(f) : undefined,
    encoding: ctx.encoding,
    version: FEEDPARSER_VERSION[f.format] ?? f.format,
    feed: feedView(f),
    entries: f.items.map(entryView),
  };
}

function feedView(f: Feed): View {
  const v: View = {};
  flattenExt(v, f.ext);
  text(v, 'title', f.title);
  text(v, 'subtitle', f.subtitle);
  text(v, 'summary', f.summary);
  text(v, 'info', f.info);
  text(v, 'rights', f.rights);
  set(v, 'id', f.id);
  set(v, 'link', f.link ?? firstHref(f.links, 'alternate'));
  v.links = f.links.map(link);
  set(v, 'newlocation', f.newLocation);
  dates(v, 'updated', f.updatedRaw, f.updated);
  dates(v, 'published', f.publishedRaw, f.published);
  dates(v, 'created', f.createdRaw, f.created);
  if (f.valid) {
    // feedparser gives each part of the DCMI period as written; the model keeps the whole text.
    const part = (key: string) => new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*([^;]*)`, 'i').exec(f.valid?.raw ?? '')?.[1]?.trim();
    dates(v, 'validity_start', part('start'), f.valid.start);
    dates(v, 'validity_end', part('end'), f.valid.end);
  }
  persons(v, f.authors, f.contributors, f.publisher);
  if (f.generator) {
    set(v, 'generator', f.generator.name);
    v.generator_detail = compact({ name: f.generator.name, href: f.generator.uri, version: f.generator.version });
  }
  set(v, 'language', f.lang);
  v.tags = f.categories.map(tag);
  const image = imageView(f.image, f.itunes.image);
  if (image) v.image = image;
  set(v, 'icon', f.icon);
  set(v, 'logo', f.logo);
  set(v, 'docs', f.docs);
  if (f.ttl !== undefined) v.ttl = String(f.ttl);
  if (f.cloud) v.cloud = Object.fromEntries(Object.entries(f.cloud).map(([k, x]) => [k.toLowerCase(), x]));
  if (f.textInput) {
    const t = f.textInput;
    v.textinput = compact({ title: t.title, subtitle: t.description, name: t.name, link: t.link });
  }
  itunes(v, f.itunes);
  return v;
}

function entryView(it: Item): View {
  const v: View = {};
  flattenExt(v, it.ext);
  set(v, 'id', it.guid);
  set(v, 'link', it.link);
  v.guidislink = it.linkFromGuid === true;
  v.links = it.links.map(link);
  text(v, 'title', it.title);
  // feedparser copies content of a text, HTML or XHTML type into a missing summary.
  text(v, 'summary', it.summary ?? it.content.find((c) => COPIED_TO_SUMMARY.has(mime(c))));
  text(v, 'rights', it.rights);
  v.content = it.content.map((c) => ({ ...detail(c), ...(c.src !== undefined ? { src: c.src } : {}) }));
  dates(v, 'published', it.publishedRaw, it.published);
  dates(v, 'updated', it.updatedRaw, it.updated);
  dates(v, 'created', it.createdRaw, it.created);
  dates(v, 'expired', it.expiredRaw, it.expired);
  persons(v, it.authors, it.contributors, it.publisher);
  v.tags = it.categories.map(tag);
  v.enclosures = it.enclosures.map((e) => compact({ href: e.url, type: e.type, length: e.length }));
  const license = it.links.find((l) => l.rel === 'license');
  if (license) v.license = license.href;
  set(v, 'comments', it.comments);
  set(v, 'wfw_comment', it.commentApi);
  set(v, 'wfw_commentrss', it.commentsFeed);
  if (it.commentCount !== undefined) v.slash_comments = String(it.commentCount);
  if (it.image !== undefined) v.image = { href: it.image };
  set(v, 'language', it.lang);
  if (it.media.length > 0) v.media_content = it.media.map((m) => ({ ...m.attrs }));
  if (it.thumbnails.length > 0) v.media_thumbnail = it.thumbnails.map((m) => ({ ...m.attrs }));
  if (it.source) v.source = sourceView(it.source);
  itunes(v, it.itunes);
  return v;
}

function sourceView(s: Source): View {
  const v: View = {};
  set(v, 'title', s.title);
  if (s.title !== undefined) v.title_detail = { type: 'text/plain', language: null, base: null, value: s.title };
  set(v, 'href', s.url);
  set(v, 'id', s.id);
  if (s.links) {
    v.links = s.links.map(link);
    set(v, 'link', firstHref(s.links, 'alternate'));
  }
  dates(v, 'updated', s.updatedRaw, s.updated);
  persons(v, s.authors ?? [], s.contributors ?? [], undefined);
  text(v, 'rights', s.rights);
  text(v, 'subtitle', s.subtitle);
  if (s.categories) v.tags = s.categories.map(tag);
  if (s.generator) {
    set(v, 'generator', s.generator.name);
    v.generator_detail = compact({ name: s.generator.name, href: s.generator.uri, version: s.generator.version });
  }
  set(v, 'icon', s.icon);
  set(v, 'logo', s.logo);
  return v;
}

/** Text constructs appear as `x` and `x_detail`. */
function text(v: View, key: string, t: Text | undefined): void {
  if (!t) return;
  v[key] = t.value;
  v[`${key}_detail`] = detail(t);
}

function detail(t: Text): View {
  return { type: mime(t), language: t.lang || null, base: t.base ?? null, value: t.value };
}

const COPIED_TO_SUMMARY = new Set(['text/plain', 'text/html', 'application/xhtml+xml']);

function mime(t: Text): string {
  if (t.mime?.includes('/')) return t.mime;
  return t.type === 'html' ? 'text/html' : t.type === 'xhtml' ? 'application/xhtml+xml' : 'text/plain';
}

function dates(v: View, key: string, raw: string | undefined, at: number | undefined): void {
  if (raw !== undefined) v[key] = raw;
  if (at !== undefined && Number.isFinite(at)) v[`${key}_parsed`] = at;
}

function persons(v: View, authors: Person[], contributors: Person[], publisher: Person | undefined): void {
  if (authors.length > 0) {
    const first = authors[0];
    set(v, 'author', display(first));
    v.author_detail = person(first);
    v.authors = authors.map(person);
  }
  if (contributors.length > 0) v.contributors = contributors.map(person);
  if (publisher) {
    set(v, 'publisher', display(publisher));
    v.publisher_detail = person(publisher);
  }
}

function person(p: Person): View {
  return compact({ name: p.name, email: p.email, href: p.uri });
}

/** feedparser's display string: the raw RSS text, else `name (email)`. */
function display(p: Person): string | undefined {
  if (p.raw !== undefined) return p.raw;
  if (p.name && p.email) return `${p.name} (${p.email})`;
  return p.name ?? p.email;
}

function link(l: Link): View {
  return compact({ rel: l.rel, type: l.type, href: l.href, title: l.title, length: l.length, hreflang: l.hreflang });
}

function tag(c: Category): View {
  return { term: c.term, scheme: c.scheme ?? null, label: c.label ?? null };
}

function imageView(img: Image | undefined, itunesHref: string | undefined): View | undefined {
  if (img) {
    return compact({
      title: img.title, href: img.url, link: img.link, width: int(img.width), height: int(img.height), subtitle: img.description,
    });
  }
  return itunesHref !== undefined ? { href: itunesHref } : undefined;
}

function int(s: string | undefined): number | string | undefined {
  return s !== undefined && /^\s*\d+\s*$/.test(s) ? Number(s) : s;
}

/** itunes values as feedparser types them; keywords, categories, owner and image live elsewhere there. */
function itunes(v: View, rec: Record<string, string>): void {
  for (const [k, raw] of Object.entries(rec)) {
    const key = k.toLowerCase();
    if (key === 'keywords' || key === 'category' || key === 'owner' || key === 'image') continue;
    if (key === 'new-feed-url') {
      v.newlocation ??= raw;
      continue;
    }
    if (key === 'block') v.itunes_block = raw === 'yes' ? 1 : 0;
    else if (key === 'explicit') v.itunes_explicit = EXPLICIT[raw] ?? null;
    // feedparser's entries have a subtitle only from itunes:subtitle; the model has no such field.
    else if (key === 'subtitle' && !Object.hasOwn(v, 'subtitle')) {
      v.subtitle = raw;
      v.subtitle_detail = { type: 'text/plain', language: null, base: null, value: raw };
    }
    else v[`itunes_${key.replace(/-/g, '_')}`] = raw;
  }
}

const EXPLICIT: Record<string, boolean> = { yes: true, explicit: true, true: true, clean: false, no: false, false: false };

/**
 * Every extension element not typed elsewhere, as `prefix_localname`. Typed
 * fields are set after (or guarded), so an extension never overwrites them.
 */
function flattenExt(v: View, ext: ExtElement[]): void {
  for (const e of ext) {
    const prefix = NS_PREFIX[e.ns] ?? e.prefix.toLowerCase();
    if (prefix === 'itunes' || prefix === 'xhtml') continue;
    const key = (prefix ? `${prefix}_${e.name}` : e.name).toLowerCase();
    if (key === 'media_content' || key === 'media_thumbnail') continue;
    if (Object.hasOwn(v, key)) continue;
    const attrs = Object.keys(e.attrs).length > 0;
    v[key] = attrs ? { ...e.attrs, ...(e.value.trim() ? { content: e.value } : {}) } : e.value;
  }
}

/** Exception kinds from our error messages; a heuristic until errors carry codes. */
function exception(f: Feed): View {
  const kinds = new Set<string>();
  for (const msg of f.errors.length > 0 ? f.errors : [f.bozoReason ?? '']) {
    if (/encoding|charset/i.test(msg)) {
      kinds.add(/unknown|unsupported|not supported/i.test(msg) ? 'CharacterEncodingUnknown' : 'CharacterEncodingOverride');
    } else if (/media type|content-type|content type/i.test(msg)) kinds.add('NonXMLContentType');
    else if (/namespace|prefix/i.test(msg)) kinds.add('UndeclaredNamespace');
    else kinds.add('SAXParseException');
  }
  const list = [...kinds];
  return { kind: list[0], kinds: list, message: f.bozoReason ?? f.errors[0] ?? '' };
}

function firstHref(links: Link[], rel: string): string | undefined {
  return links.find((l) => l.rel === rel)?.href;
}

function set(v: View, key: string, x: unknown): void {
  if (x !== undefined) v[key] = x;
}

function compact(o: Record<string, unknown>): View {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
}
