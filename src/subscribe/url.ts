/**
 * The canonical form of a feed URL, so that the same feed typed twice is one
 * feed: feed:// schemes unwrapped, scheme and host lower-cased, default port and
 * fragment dropped. A bare host name gets https://. Throws on anything that is
 * not an http(s) URL.
 */
export function normalizeUrl(input: string): string {
  let s = input.trim();
  if (!s) throw new Error('empty URL');
  if (/^feed:\/\//i.test(s)) s = 'http://' + s.slice(7);
  else if (/^feed:/i.test(s)) s = s.slice(5);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(s)) s = 'https://' + s.replace(/^\/\//, '');
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new Error(`invalid URL: ${input}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`unsupported URL scheme ${url.protocol} in ${input} (only http and https)`);
  }
  if (!url.hostname) throw new Error(`URL without a host: ${input}`);
  url.hash = '';
  return url.href;
}

/** True when the string is meant as a URL rather than a name or id. */
export function looksLikeUrl(s: string): boolean {
  return /^(https?|feed):/i.test(s.trim()) || /^[\w-]+(\.[\w-]+)+(:\d+)?(\/|$)/.test(s.trim());
}
