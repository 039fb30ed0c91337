import type { Feed, ParseOptions } from './model.ts';
import { decode } from './encoding.ts';
import { Builder, newFeed, safeBase } from './build.ts';
import { scanXml } from './xml.ts';
import { parseJsonFeed } from './jsonfeed.ts';
import { resolveUrl } from './url.ts';

/**
 * Parse a feed document. Input is the raw bytes (decoding is the parser's job); the result is
 * always a Feed, never an exception: problems are listed in `errors` and set `bozo`.
 */
export function parseFeed(bytes: Uint8Array, options: ParseOptions = {}): Feed {
  try {
    return parse(bytes, options);
  } catch (err) {
    // A bug must not take the caller down: report it as an unreadable document.
    const feed = newFeed('utf-8');
    feed.errors.push(`internal parser error: ${(err as Error)?.message ?? String(err)}`);
    return done(feed);
  }
}

function parse(bytes: Uint8Array, options: ParseOptions): Feed {
  const contentType = options.contentType;
  const decoded = decode(bytes, contentType);
  const buf = Buffer.isBuffer(decoded.utf8)
    ? decoded.utf8
    : Buffer.from(decoded.utf8.buffer, decoded.utf8.byteOffset, decoded.utf8.byteLength);
  let start = 0;
  while (start < buf.length && (buf[start] === 0x20 || buf[start] === 0x0a || buf[start] === 0x0d || buf[start] === 0x09)) start++;

  const base = options.contentLocation && safeBase(options.contentLocation)
    ? resolveUrl(options.url, options.contentLocation)
    : options.url;

  if (buf[start] === 0x7b || buf[start] === 0x5b) {
    const json = parseJsonFeed(buf.toString('utf8', start), { url: base });
    if (json) {
      json.encoding = decoded.encoding;
      json.errors.unshift(...decoded.errors);
      return done(json);
    }
    if (buf[start] === 0x7b) {
      const feed = newFeed(decoded.encoding);
      feed.errors.push(...decoded.errors, 'not a feed: invalid JSON');
      return done(feed);
    }
  }

  const feed = newFeed(decoded.encoding);
  feed.errors.push(...decoded.errors);
  if (start < buf.length && buf[start] !== 0x3c) feed.errors.push('text before the XML declaration or root element');
  const lang = options.contentLanguage?.split(',')[0]?.trim() || undefined;
  const builder = new Builder(buf, feed, base, lang, options.resolveHtml !== false, decoded.valid);
  scanXml(buf, start, builder);
  builder.close();
  if (feed.format === 'unknown' && !feed.errors.some((e) => e.startsWith('not a feed') || e.startsWith('no feed'))) {
    feed.errors.push('not a feed: no RSS, Atom or JSON Feed document found');
  }
  if (!feed.lang && lang) feed.lang = lang;
  return done(feed);
}

function done(feed: Feed): Feed {
  feed.bozo = feed.errors.length > 0;
  if (feed.bozo) feed.bozoReason = feed.errors[0];
  return feed;
}
