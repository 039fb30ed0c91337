// Our Feed model seen as gofeed's four models (README 2.2): rss, atom, json and
// universal. Format-specific rules below mirror gofeed's translators, which
// differ per input format; none of them is specific to a test case.
import type { Category, ExtElement, Feed, Item, Link, Person, Text } from '../../src/parse/index.ts';
import { JSON_FEED_NS } from '../../src/parse/jsonfeed.ts';

type View = Record<string, unknown>;

export type Model = 'rss' | 'atom' | 'json' | 'universal';

const DC = 'http://purl.org/dc/elements/1.1/';
const ITUNES = 'http://www.itunes.com/dtds/podcast-1.0.dtd';

/** Namespaces that are the format's own vocabulary, never an extension. */
const CORE_NS = new Set([
  '',
  'http://purl.org/rss/1.0/',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  'http://my.netscape.com/rdf/simple/0.9/',
  'http://backend.userland.com/rss2',
  'http://blogs.law.harvard.edu/tech/rss',
  JSON_FEED_NS,
]);
const ATOM_NS = new Set(['http://www.w3.org/2005/Atom', 'http://purl.org/atom/ns#']);

export function gofeedView(f: Feed, model: Model): View {
  switch (model) {
    case 'rss':
      return rssFeed(f);
    case 'atom':
      return atomFeed(f);
    case 'json':
      return jsonFeed(f);
    default:
      return universalFeed(f);
  }
}

export function feedType(f: Feed): string {
  if (f.format.startsWith('rss')) return 'rss';
  if (f.format.startsWith('atom')) return 'atom';
  if (f.format.startsWith('json')) return 'json';
  return 'unknown';
}

// ---- rss ----

function rssFeed(f: Feed): View {
  return {
    title: f.title?.value,
    link: f.link,
    links: hrefs(f.links, ['alternate']),
    description: f.subtitle?.value,
    language: f.lang,
    copyright: f.rights?.value,
    managingEditor: own(f.authors, f.ext)[0] ? display(own(f.authors, f.ext)[0]) : undefined,
    webMaster: f.publisher ? display(f.publisher) : undefined,
    pubDate: f.publishedRaw,
    pubDateParsed: iso(f.published),
    lastBuildDate: f.updatedRaw,
    lastBuildDateParsed: iso(f.updated),
    categories: ownCategories(f.categories, f.ext).map((c) => ({ domain: c.scheme, value: c.term })),
    generator: f.generator?.name,
    docs: f.docs,
    ttl: f.ttl === undefined ? undefined : String(f.ttl),
    image: f.image && { ...f.image },
    rating: coreExt(f.ext, 'rating'),
    skipHours: f.skipHours.map(String),
    skipDays: f.skipDays,
    cloud: f.cloud && {
      domain: f.cloud.domain,
      port: f.cloud.port,
      path: f.cloud.path,
      registerProcedure: f.cloud.registerProcedure ?? f.cloud.registerprocedure,
      protocol: f.cloud.protocol,
    },
    textInput: f.textInput && { ...f.textInput },
    dcExt: dcExt(f.ext),
    itunesExt: itunesExt(f.itunes, f.ext, 'feed'),
    extensions: extensions(f.ext, f),
    items: f.items.map((it) => rssItem(it, f)),
    version: f.version,
  };
}

function rssItem(it: Item, f: Feed): View {
  const enclosures = it.enclosures.map((e) => ({ url: e.url, length: e.length, type: e.type }));
  return {
    title: it.title?.value,
    link: ownLink(it),
    links: hrefs(it.links, ['alternate']),
    description: it.summary?.value,
    content: it.content[0]?.value,
    author: own(it.authors, it.ext)[0] ? display(own(it.authors, it.ext)[0]) : undefined,
    categories: ownCategories(it.categories, it.ext).map((c) => ({ domain: c.scheme, value: c.term })),
    comments: it.comments,
    enclosure: enclosures[0],
    enclosures,
    // The model keeps "permalink or not", not whether the attribute was written: only false is certain.
    guid: it.guid !== undefined && !fromRdfAbout(f) ? { value: it.guid, isPermalink: it.guidIsPermalink === false ? 'false' : undefined } : undefined,
    pubDate: it.publishedRaw,
    pubDateParsed: iso(it.published),
    source: it.source && { title: it.source.title, url: it.source.url },
    dcExt: dcExt(it.ext),
    itunesExt: itunesExt(it.itunes, it.ext, 'item'),
    extensions: extensions(it.ext, f),
    custom: custom(it.ext),
  };
}

// ---- atom ----

function atomFeed(f: Feed): View {
  return {
    title: f.title?.value,
    id: f.id,
    updated: f.updatedRaw,
    updatedParsed: iso(f.updated),
    subtitle: f.subtitle?.value,
    links: f.links.map(atomLink),
    language: f.lang,
    generator: f.generator && { value: f.generator.name, uri: f.generator.uri, version: f.generator.version },
    icon: f.icon,
    logo: f.logo,
    rights: f.rights?.value,
    contributors: f.contributors.map(atomPerson),
    authors: own(f.authors, f.ext).map(atomPerson),
    categories: ownCategories(f.categories, f.ext).map(atomCategory),
    entries: f.items.map((it) => atomEntry(it, f)),
    extensions: extensions(f.ext, f),
    version: f.version,
  };
}

function atomEntry(it: Item, f: Feed): View {
  const content = it.content[0];
  const s = it.source;
  return {
    title: it.title?.value,
    id: it.guid,
    updated: it.updatedRaw,
    updatedParsed: iso(it.updated),
    summary: it.summary?.value,
    authors: own(it.authors, it.ext).map(atomPerson),
    contributors: it.contributors.map(atomPerson),
    categories: ownCategories(it.categories, it.ext).map(atomCategory),
    links: it.links.map(atomLink),
    rights: it.rights?.value,
    published: it.publishedRaw,
    publishedParsed: iso(it.published),
    source: s && {
      title: s.title,
      id: s.id,
      updated: s.updatedRaw,
      updatedParsed: iso(s.updated),
      subtitle: s.subtitle?.value,
      links: s.links?.map(atomLink),
      rights: s.rights?.value,
      authors: s.authors?.map(atomPerson),
      contributors: s.contributors?.map(atomPerson),
      categories: s.categories?.map(atomCategory),
      generator: s.generator && { value: s.generator.name, uri: s.generator.uri, version: s.generator.version },
      icon: s.icon,
      logo: s.logo,
    },
    content: content && { src: content.src, type: atomType(content), value: content.value },
    extensions: extensions(it.ext, f),
  };
}

function atomType(t: Text): string {
  return t.mime ?? t.type;
}

function atomLink(l: Link): View {
  return { href: l.href, hreflang: l.hreflang, rel: l.rel, type: l.type, title: l.title, length: l.length };
}

function atomPerson(p: Person): View {
  return { name: p.name, email: p.email, uri: p.uri };
}

function atomCategory(c: Category): View {
  return { term: c.term, scheme: c.scheme, label: c.label };
}

// ---- json ----

function jsonFeed(f: Feed): View {
  return {
    version: f.version,
    title: f.title?.value,
    home_page_url: f.link,
    feed_url: f.feedUrl,
    description: f.subtitle?.value,
    user_comment: member(f.ext, 'user_comment'),
    next_url: f.links.find((l) => l.rel === 'next')?.href,
    icon: f.logo,
    favicon: f.icon,
    authors: f.authors.map(jsonPerson),
    language: f.lang,
    expired: f.expired === true,
    items: f.items.map(jsonItem),
  };
}

function jsonItem(it: Item): View {
  return {
    id: it.guid,
    url: it.link,
    external_url: it.links.find((l) => l.rel === 'related')?.href,
    title: it.title?.value,
    content_html: it.content.find((c) => c.type === 'html')?.value,
    content_text: it.content.find((c) => c.type === 'text')?.value,
    summary: it.summary?.value,
    image: it.image,
    banner_image: member(it.ext, 'banner_image'),
    date_published: it.publishedRaw,
    date_modified: it.updatedRaw,
    authors: it.authors.map(jsonPerson),
    tags: it.categories.map((c) => c.term),
    attachments: it.enclosures.map((e) => {
      const l = it.links.find((x) => x.rel === 'enclosure' && x.href === e.url);
      const m = it.media.find((x) => x.url === e.url);
      return {
        url: e.url,
        mime_type: e.type,
        title: l?.title,
        size_in_bytes: num(e.length),
        duration_in_seconds: num(m?.duration),
      };
    }),
    language: it.lang,
  };
}

function jsonPerson(p: Person): View {
  return { name: p.name, url: p.uri ?? (p.email ? `mailto:${p.email}` : undefined), avatar: p.avatar };
}

// ---- universal ----

function universalFeed(f: Feed): View {
  const type = feedType(f);
  const json = type === 'json';
  const first = f.items[0];
  const image = f.image?.url
    ? { url: f.image.url, title: f.image.title }
    : f.logo ?? f.icon ?? itunesImage(f.ext)
      ? { url: f.logo ?? f.icon ?? itunesImage(f.ext) }
      : undefined;
  const authors = universalAuthors(f).map(uPerson);
  return {
    title: f.title?.value,
    description: f.subtitle?.value ?? f.summary?.value,
    link: f.link,
    feedLink: f.feedUrl,
    links: hrefs(f.links, ['alternate', 'self']),
    // gofeed gives a JSON feed the dates of its first item.
    updated: f.updatedRaw ?? (json ? first?.updatedRaw : undefined),
    updatedParsed: iso(f.updated ?? (json ? first?.updated : undefined)),
    published: f.publishedRaw ?? (json ? first?.publishedRaw : undefined),
    publishedParsed: iso(f.published ?? (json ? first?.published : undefined)),
    author: f.format === 'json11' ? undefined : authors[0],
    authors,
    language: f.lang,
    image,
    copyright: f.rights?.value,
    generator: generator(f),
    categories: f.categories.map((c) => c.label ?? c.term),
    dcExt: dcExt(f.ext),
    itunesExt: itunesExt(f.itunes, f.ext, 'feed'),
    extensions: extensions(f.ext, f),
    custom: custom(f.ext),
    items: f.items.map((it) => universalItem(it, f)),
    feedType: type,
    feedVersion: f.version,
  };
}

function universalItem(it: Item, f: Feed): View {
  const type = feedType(f);
  const authors = (type === 'rss' ? it.authors.slice(0, 1) : it.authors).map(uPerson);
  const atom = type === 'atom';
  // gofeed's fallbacks for a missing published date: dc:date in RSS, the updated date in Atom.
  const dcDate = type === 'rss' ? it.ext.find((e) => e.ns === DC && e.name === 'date')?.value.trim() : undefined;
  const published = it.publishedRaw ?? (atom ? it.updatedRaw : dcDate);
  const publishedAt = it.published ?? (atom || (dcDate !== undefined && it.updatedRaw?.trim() === dcDate) ? it.updated : undefined);
  return {
    title: it.title?.value,
    description: it.summary?.value,
    content: it.content[0]?.value,
    link: ownLink(it),
    links: hrefs(it.links, type === 'json' ? ['alternate', 'related'] : ['alternate', 'self']),
    updated: it.updatedRaw,
    updatedParsed: iso(it.updated),
    published,
    publishedParsed: iso(publishedAt),
    author: f.format === 'json11' ? undefined : authors[0],
    authors,
    guid: fromRdfAbout(f) ? undefined : it.guid,
    image: it.image !== undefined ? { url: it.image } : undefined,
    categories: it.categories.map((c) => c.label ?? c.term),
    enclosures: it.enclosures.map((e) => ({ url: e.url, length: e.length, type: e.type })),
    dcExt: dcExt(it.ext),
    itunesExt: itunesExt(it.itunes, it.ext, 'item'),
    extensions: extensions(it.ext, f),
    custom: custom(it.ext),
  };
}

/** gofeed never takes an item link from its guid or id. */
function ownLink(it: Item): string | undefined {
  return it.linkFromGuid ? undefined : it.link;
}

/** RSS 0.90/1.0 have no guid: the model's guid is rdf:about, which gofeed leaves out. */
function fromRdfAbout(f: Feed): boolean {
  return f.format === 'rss10' || f.format === 'rss090';
}

/** gofeed's universal author: RSS falls back to webMaster; JSON has one only from the 1.0 `author`. */
function universalAuthors(f: Feed): Person[] {
  const type = feedType(f);
  if (type === 'rss') return f.authors.length > 0 ? f.authors.slice(0, 1) : f.publisher ? [f.publisher] : [];
  return f.authors;
}

function uPerson(p: Person): View {
  return { name: p.name, email: p.email };
}

function generator(f: Feed): string | undefined {
  const g = f.generator;
  if (!g) return undefined;
  let s = g.name ?? '';
  if (g.version) s += ` v${g.version}`;
  if (g.uri && feedType(f) === 'atom') s += ` ${g.uri}`;
  return s.trim() || undefined;
}

// ---- shared sub-objects ----

/** gofeed's extension map: prefix as declared, local name, then the element tree. */
function extensions(ext: ExtElement[], f: Feed): View {
  const out: Record<string, Record<string, View[]>> = {};
  const atom = feedType(f) === 'atom';
  for (const e of ext) {
    // An undeclared prefix (ns '') is still an extension to gofeed, which keys by prefix.
    if ((CORE_NS.has(e.ns) && !(e.ns === '' && e.prefix)) || (atom && ATOM_NS.has(e.ns))) continue;
    const prefix = e.prefix || e.ns;
    ((out[prefix] ??= {})[e.name] ??= []).push(extElement(e));
  }
  return out;
}

function extElement(e: ExtElement): View {
  const children: Record<string, View[]> = {};
  for (const c of e.children) (children[c.name] ??= []).push(extElement(c));
  // gofeed trims extension text; the model keeps it as found.
  return { name: e.name, value: e.value.trim(), attrs: { ...e.attrs }, children };
}

const DC_KEYS = new Set([
  'title', 'creator', 'author', 'subject', 'description', 'publisher', 'contributor', 'date', 'type', 'format',
  'identifier', 'source', 'language', 'relation', 'coverage', 'rights',
]);

function dcExt(ext: ExtElement[]): View {
  const out: Record<string, string[]> = {};
  for (const e of ext) if (e.ns === DC && DC_KEYS.has(e.name)) (out[e.name] ??= []).push(e.value.trim());
  return out;
}

const ITUNES_FEED = ['author', 'block', 'explicit', 'keywords', 'subtitle', 'summary', 'complete', 'new-feed-url', 'type'];
const ITUNES_ITEM = [
  'author', 'block', 'duration', 'explicit', 'keywords', 'subtitle', 'summary', 'isClosedCaptioned', 'episode',
  'season', 'order', 'episodeType',
];

/** Simple values from the typed itunes record; image, owner and categories from the elements. */
function itunesExt(rec: Record<string, string>, ext: ExtElement[], level: 'feed' | 'item'): View {
  const out: View = {};
  const keys = level === 'feed' ? ITUNES_FEED : ITUNES_ITEM;
  for (const [k, v] of Object.entries(rec)) {
    if (keys.includes(k)) out[k === 'new-feed-url' ? 'newFeedUrl' : k] = v;
    else if (k === 'image') out.image = v;
  }
  const cats: View[] = [];
  for (const e of ext) {
    if (e.ns !== ITUNES) continue;
    if (e.name === 'image') out.image ??= e.attrs.href ?? e.value;
    else if (e.name === 'owner' && level === 'feed') {
      const child = (n: string) => e.children.find((c) => c.name === n)?.value;
      out.owner ??= { email: child('email'), name: child('name') };
    } else if (e.name === 'category' && level === 'feed') {
      const sub = e.children.find((c) => c.name === 'category');
      cats.push({ text: e.attrs.text, subcategory: sub && { text: sub.attrs.text } });
    }
  }
  if (cats.length > 0) out.categories = cats;
  return out;
}

function itunesImage(ext: ExtElement[]): string | undefined {
  const e = ext.find((x) => x.ns === ITUNES && x.name === 'image');
  return e ? (e.attrs.href ?? e.value) : undefined;
}

/** Elements outside any namespace (gofeed's `custom`). */
function custom(ext: ExtElement[]): View {
  const out: Record<string, string> = {};
  for (const e of ext) if (e.ns === '' && !e.prefix && e.children.length === 0) out[e.name] ??= e.value;
  return out;
}

function coreExt(ext: ExtElement[], name: string): string | undefined {
  return ext.find((e) => CORE_NS.has(e.ns) && e.name === name)?.value;
}

function member(ext: ExtElement[], name: string): string | undefined {
  return ext.find((e) => e.ns === JSON_FEED_NS && e.name === name)?.value;
}

function hrefs(links: Link[], rels: string[]): string[] {
  return links.filter((l) => rels.includes(l.rel)).map((l) => l.href);
}

/**
 * The persons from the format's own elements: the model merges dc:creator,
 * itunes:author... into `authors`, and gofeed's rss/atom models keep those apart.
 * A person whose text is that of such an extension element came from it.
 */
function own(persons: Person[], ext: ExtElement[]): Person[] {
  const texts = new Set(
    ext
      .filter((e) => (e.ns === DC && ['creator', 'author', 'contributor'].includes(e.name)) || (e.ns === ITUNES && e.name === 'author'))
      .map((e) => e.value.trim()),
  );
  if (texts.size === 0) return persons;
  return persons.filter((p) => !texts.has((p.raw ?? p.name ?? p.email ?? '').trim()));
}

const MEDIA = 'http://search.yahoo.com/mrss/';

/** Categories from the format's own elements, as for persons: dc:subject, itunes and media terms are set apart. */
function ownCategories(categories: Category[], ext: ExtElement[]): Category[] {
  const terms = new Set<string>();
  const walk = (e: ExtElement): void => {
    if (e.ns === DC && e.name === 'subject') terms.add(e.value.trim());
    else if (e.ns === MEDIA && e.name === 'category') terms.add(e.value.trim());
    else if (e.ns === ITUNES && e.name === 'keywords') for (const k of e.value.split(',')) terms.add(k.trim());
    else if (e.ns === ITUNES && e.name === 'category') {
      if (e.attrs.text) terms.add(e.attrs.text.trim());
      e.children.forEach(walk);
    }
  };
  ext.forEach(walk);
  if (terms.size === 0) return categories;
  return categories.filter((c) => !terms.has(c.term.trim()));
}

function display(p: Person): string | undefined {
  if (p.raw !== undefined) return p.raw;
  if (p.name && p.email) return `${p.email} (${p.name})`;
  return p.name ?? p.email;
}

function iso(t: number | undefined): string | undefined {
  if (t === undefined || !Number.isFinite(t)) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function num(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
