// Namespace URIs of the modules feeds use, mapped to their conventional prefixes. Real feeds
// declare arbitrary prefixes and often slightly wrong URIs; matching is on the URI, case-insensitive,
// with the common wrong forms that feed readers have long accepted.

export const CORE = '';
export const ATOM10 = 'http://www.w3.org/2005/Atom';
export const ATOM03 = 'http://purl.org/atom/ns#';
export const RSS090 = 'http://my.netscape.com/rdf/simple/0.9/';
export const RSS10 = 'http://purl.org/rss/1.0/';
export const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const XHTML = 'http://www.w3.org/1999/xhtml';
export const XML = 'http://www.w3.org/XML/1998/namespace';

const table: [string, string][] = [
  // Namespaces of the feed formats themselves: their elements are the core vocabulary.
  ['http://backend.userland.com/rss', ''],
  ['http://backend.userland.com/rss2', ''],
  ['http://blogs.law.harvard.edu/tech/rss', ''],
  [RSS10, ''],
  [RSS090, ''],
  ['http://purl.org/rss/1.0/modules/rss091#', ''],
  ['http://example.com/newformat#', ''],
  ['http://example.com/necho', ''],
  ['http://purl.org/echo/', ''],
  ['uri/of/echo/namespace#', ''],
  ['http://purl.org/pie/', ''],
  [ATOM03, 'atom'],
  [ATOM10, 'atom'],
  ['http://webns.net/mvcb/', 'admin'],
  ['http://purl.org/rss/1.0/modules/aggregation/', 'ag'],
  ['http://purl.org/rss/1.0/modules/annotate/', 'annotate'],
  ['http://media.tangent.org/rss/1.0/', 'audio'],
  ['http://backend.userland.com/blogchannelmodule', 'blogChannel'],
  ['http://creativecommons.org/ns#license', 'cc'],
  ['http://web.resource.org/cc/', 'cc'],
  ['http://cyber.law.harvard.edu/rss/creativecommonsrssmodule.html', 'creativeCommons'],
  ['http://backend.userland.com/creativecommonsrssmodule', 'creativeCommons'],
  ['http://purl.org/rss/1.0/modules/company', 'co'],
  ['http://purl.org/rss/1.0/modules/content/', 'content'],
  ['http://my.theinfo.org/changed/1.0/rss/', 'cp'],
  ['http://purl.org/dc/elements/1.1/', 'dc'],
  ['http://purl.org/dc/elements/1.0/', 'dc'],
  ['http://purl.org/dc/terms/', 'dcterms'],
  ['http://purl.org/rss/1.0/modules/email/', 'email'],
  ['http://purl.org/rss/1.0/modules/event/', 'ev'],
  ['http://rssnamespace.org/feedburner/ext/1.0', 'feedburner'],
  ['http://freshmeat.net/rss/fm/', 'fm'],
  ['http://xmlns.com/foaf/0.1/', 'foaf'],
  ['http://www.w3.org/2003/01/geo/wgs84_pos#', 'geo'],
  ['http://www.georss.org/georss', 'georss'],
  ['http://www.opengis.net/gml', 'gml'],
  ['http://postneo.com/icbm/', 'icbm'],
  ['http://purl.org/rss/1.0/modules/image/', 'image'],
  ['http://www.itunes.com/dtds/podcast-1.0.dtd', 'itunes'],
  ['http://example.com/dtds/podcast-1.0.dtd', 'itunes'],
  ['https://www.itunes.com/dtds/podcast-1.0.dtd', 'itunes'],
  ['http://purl.org/rss/1.0/modules/link/', 'l'],
  ['http://search.yahoo.com/mrss', 'media'],
  ['http://search.yahoo.com/mrss/', 'media'],
  ['http://video.search.yahoo.com/mrss', 'media'],
  ['http://video.search.yahoo.com/mrss/', 'media'],
  ['http://madskills.com/public/xml/rss/module/pingback/', 'pingback'],
  ['http://prismstandard.org/namespaces/1.2/basic/', 'prism'],
  [RDF, 'rdf'],
  ['http://www.w3.org/2000/01/rdf-schema#', 'rdfs'],
  ['http://purl.org/rss/1.0/modules/reference/', 'ref'],
  ['http://purl.org/rss/1.0/modules/richequiv/', 'reqv'],
  ['http://purl.org/rss/1.0/modules/search/', 'search'],
  ['http://purl.org/rss/1.0/modules/slash/', 'slash'],
  ['http://schemas.xmlsoap.org/soap/envelope/', 'soap'],
  ['http://purl.org/rss/1.0/modules/servicestatus/', 'ss'],
  ['http://hacks.benhammersley.com/rss/streaming/', 'str'],
  ['http://purl.org/rss/1.0/modules/subscription/', 'sub'],
  ['http://purl.org/rss/1.0/modules/syndication/', 'sy'],
  ['http://schemas.pocketsoap.com/rss/mydescmodule/', 'szf'],
  ['http://purl.org/rss/1.0/modules/taxonomy/', 'taxo'],
  ['http://purl.org/rss/1.0/modules/threading/', 'thr'],
  ['http://purl.org/syndication/thread/1.0', 'thr'],
  ['http://purl.org/rss/1.0/modules/textinput/', 'ti'],
  ['http://madskills.com/public/xml/rss/module/trackback/', 'trackback'],
  ['http://wellformedweb.org/commentapi/', 'wfw'],
  ['http://purl.org/rss/1.0/modules/wiki/', 'wiki'],
  [XHTML, 'xhtml'],
  ['http://www.w3.org/1999/xlink', 'xlink'],
  [XML, 'xml'],
  ['http://podlove.org/simple-chapters', 'psc'],
  ['http://www.google.com/schemas/reader/atom/', 'gr'],
  ['https://podcastindex.org/namespace/1.0', 'podcast'],
  ['http://www.googleplay.com/schemas/rss/', 'googleplay'],
  ['http://www.w3.org/1998/math/mathml', 'mathml'],
  ['http://www.w3.org/2000/svg', 'svg'],
];

const byUri = new Map<string, string>();
const canonicalUri = new Map<string, string>();
for (const [uri, prefix] of table) {
  const key = uri.toLowerCase();
  byUri.set(key, prefix);
  if (!canonicalUri.has(prefix) || prefix === '') canonicalUri.set(prefix, uri);
}
canonicalUri.set('atom', ATOM10);

/** The conventional prefix of a known namespace ('' for the feed formats' own), or undefined. */
// Every element asks; a document uses a handful of URIs, most of them not in canonical case.
const memo = new Map<string, string | null>();

export function knownPrefix(uri: string): string | undefined {
  const m = memo.get(uri);
  if (m !== undefined) return m ?? undefined;
  const p = lookupPrefix(uri);
  if (memo.size > 1000) memo.clear();
  memo.set(uri, p ?? null);
  return p;
}

function lookupPrefix(uri: string): string | undefined {
  const direct = byUri.get(uri);
  if (direct !== undefined) return direct;
  const lower = uri.toLowerCase();
  const p = byUri.get(lower);
  if (p !== undefined) return p;
  // Trailing-slash and scheme variants are the most common mistakes.
  const alt = lower.endsWith('/') ? lower.slice(0, -1) : lower + '/';
  const q = byUri.get(alt);
  if (q !== undefined) return q;
  if (lower.startsWith('https://')) return byUri.get('http://' + lower.slice(8));
  return undefined;
}

/** The canonical URI for a conventional prefix (e.g. 'dc' → Dublin Core 1.1). */
export function namespaceUri(prefix: string): string | undefined {
  return canonicalUri.get(prefix);
}
