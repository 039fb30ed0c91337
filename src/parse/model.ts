// The parsed feed: one model for RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed.
// Dates are epoch milliseconds (UTC); the raw string is kept beside them so that
// an unparseable date is absent, never wrong, and the original text survives.

export type Format =
  | 'rss090' | 'rss091n' | 'rss091u' | 'rss092' | 'rss093' | 'rss094' | 'rss20' | 'rss10' | 'rss'
  | 'atom03' | 'atom10' | 'atom'
  | 'json10' | 'json11'
  | 'unknown';

export type TextType = 'text' | 'html' | 'xhtml';

/** A text construct: its value, and how to read it. HTML is passed on unsanitized. */
export interface Text {
  value: string;
  type: TextType;
  /** Effective xml:lang (or HTTP Content-Language), if any. */
  lang?: string;
  /** Effective base URI the value's relative URLs were resolved against. */
  base?: string;
  /** Atom `src` of out-of-line content. */
  src?: string;
  /** The MIME type as declared, when it is not one of text/html/xhtml (e.g. Atom `type="image/png"`). */
  mime?: string;
}

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
  length?: string;
  hreflang?: string;
}

export interface Person {
  name?: string;
  email?: string;
  uri?: string;
  /** Display string as found, e.g. RSS `me@example.com (Me)`. */
  raw?: string;
  /** Picture of the person (JSON Feed avatar). */
  avatar?: string;
}

export interface Category {
  term: string;
  scheme?: string;
  label?: string;
}

export interface Enclosure {
  url: string;
  type?: string;
  /** Byte length as the feed states it (text kept as found). */
  length?: string;
}

export interface Media {
  url?: string;
  type?: string;
  medium?: string;
  width?: string;
  height?: string;
  fileSize?: string;
  duration?: string;
  /** All attributes as found. */
  attrs: Record<string, string>;
}

export interface Image {
  url?: string;
  title?: string;
  link?: string;
  width?: string;
  height?: string;
  description?: string;
}

/**
 * An extension element kept as found (any namespace, also the known ones), for
 * consumers that need more than the typed fields.
 */
export interface ExtElement {
  /** Namespace URI, normalized to its canonical form for known modules ('' if none). */
  ns: string;
  /** Prefix as declared in the document ('' for a default namespace). */
  prefix: string;
  name: string;
  attrs: Record<string, string>;
  value: string;
  children: ExtElement[];
}

export interface Source {
  title?: string;
  url?: string;
  id?: string;
  links?: Link[];
  updated?: number;
  updatedRaw?: string;
  authors?: Person[];
  rights?: Text;
  subtitle?: Text;
  categories?: Category[];
  contributors?: Person[];
  generator?: { name?: string; uri?: string; version?: string };
  icon?: string;
  logo?: string;
}

export interface Item {
  /** RSS guid, Atom id, RSS 1.0 rdf:about, JSON Feed id. */
  guid?: string;
  /** true when the RSS guid is a permalink (isPermaLink absent or "true"). */
  guidIsPermalink?: boolean;
  /** The main (alternate) link, absolute. */
  link?: string;
  /** true when `link` was taken from the guid. */
  linkFromGuid?: boolean;
  links: Link[];
  title?: Text;
  /** RSS description, Atom summary, itunes:summary, JSON Feed summary. */
  summary?: Text;
  /** content:encoded, Atom content, xhtml:body, JSON content_html/content_text. */
  content: Text[];
  rights?: Text;
  published?: number;
  publishedRaw?: string;
  updated?: number;
  updatedRaw?: string;
  created?: number;
  createdRaw?: string;
  expired?: number;
  expiredRaw?: string;
  authors: Person[];
  contributors: Person[];
  publisher?: Person;
  categories: Category[];
  enclosures: Enclosure[];
  media: Media[];
  thumbnails: Media[];
  /** Main image (JSON Feed image, itunes:image, media thumbnail...). */
  image?: string;
  /** RSS comments link. */
  comments?: string;
  /** wfw:commentRss. */
  commentsFeed?: string;
  /** wfw:comment. */
  commentApi?: string;
  /** slash:comments. */
  commentCount?: number;
  source?: Source;
  lang?: string;
  /** itunes:* values as written (duration, explicit, episode, season, ...). */
  itunes: Record<string, string>;
  /** Every extension element, in document order. */
  ext: ExtElement[];
}

export interface Feed {
  format: Format;
  /** The version string as the document gave it ("2.0", "0.3", "https://jsonfeed.org/version/1.1"). */
  version?: string;
  /** Encoding actually used to decode the document (WHATWG name, lower case). */
  encoding: string;
  /** Set when the document was not clean: not well-formed, mis-declared encoding, not a feed media type. */
  bozo: boolean;
  /** Why bozo is set (first problem found), with a position where known. */
  bozoReason?: string;
  /** Every problem found, in order. */
  errors: string[];

  title?: Text;
  subtitle?: Text;
  /** Channel-level itunes:summary. */
  summary?: Text;
  /** Atom 0.3 info. */
  info?: Text;
  rights?: Text;
  id?: string;
  link?: string;
  /** The feed's own URL (atom:link rel=self, JSON feed_url). */
  feedUrl?: string;
  links: Link[];
  published?: number;
  publishedRaw?: string;
  updated?: number;
  updatedRaw?: string;
  created?: number;
  createdRaw?: string;
  authors: Person[];
  contributors: Person[];
  publisher?: Person;
  generator?: { name?: string; uri?: string; version?: string };
  lang?: string;
  categories: Category[];
  image?: Image;
  icon?: string;
  logo?: string;
  docs?: string;
  cloud?: Record<string, string>;
  textInput?: { title?: string; description?: string; name?: string; link?: string };
  /** RSS ttl in minutes. */
  ttl?: number;
  /** RSS skipHours (0-23, GMT). */
  skipHours: number[];
  /** RSS skipDays (English day names, capitalized: "Monday"). */
  skipDays: string[];
  /** sy:updatePeriod (hourly, daily, weekly, monthly, yearly). */
  updatePeriod?: string;
  /** sy:updateFrequency. */
  updateFrequency?: number;
  /** dcterms:valid: the period the feed is valid for. */
  valid?: { raw: string; start?: number; end?: number; name?: string };
  /** itunes:new-feed-url / JSON Feed expired. */
  newLocation?: string;
  expired?: boolean;
  itunes: Record<string, string>;
  ext: ExtElement[];
  items: Item[];
}

export interface ParseOptions {
  /** The document's URL: the base for relative URLs. */
  url?: string;
  /** HTTP Content-Type, whose charset overrides the XML declaration. */
  contentType?: string;
  /** HTTP Content-Location: the base when present (resolved against url). */
  contentLocation?: string;
  /** HTTP Content-Language: the default language. */
  contentLanguage?: string;
  /**
   * Make relative URLs inside HTML content absolute against the document's base (default true,
   * as feed readers have always done). The mirror turns it off and resolves them against each
   * item's own link instead, which is right for full-text services that republish other sites.
   * An explicit xml:base is honoured either way.
   */
  resolveHtml?: boolean;
}
