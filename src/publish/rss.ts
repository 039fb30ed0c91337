// RSS 2.0 with the full text in content:encoded and an atom:link to itself.
import { xmlText as x, type FeedDoc } from './feeds.ts';

export const RSS_TYPE = 'application/rss+xml; charset=utf-8';

/** RFC 822 date (RFC 1123 form, as RSS 2.0 readers expect): "Wed, 30 Oct 2024 15:17:01 GMT". */
export function rfc822(ms: number): string {
  return new Date(ms).toUTCString();
}

export function toRss(doc: FeedDoc): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">',
    '<channel>',
    `<title>${x(doc.title)}</title>`,
    `<link>${x(doc.home ?? doc.self)}</link>`,
    `<description>${x(doc.title)}</description>`,
  ];
  if (doc.self) out.push(`<atom:link rel="self" type="application/rss+xml" href="${x(doc.self)}"/>`);
  if (doc.updated) out.push(`<lastBuildDate>${rfc822(doc.updated)}</lastBuildDate>`);
  out.push('<generator>feedmirror</generator>');
  for (const e of doc.entries) {
    out.push('<item>',
      `<title>${x(e.title)}</title>`,
      ...(e.url ? [`<link>${x(e.url)}</link>`] : []),
      `<guid isPermaLink="false">${x(e.id)}</guid>`,
      `<pubDate>${rfc822(e.published)}</pubDate>`,
      `<category>${x(e.site)}</category>`,
      `<content:encoded>${x(e.html)}</content:encoded>`,
      '</item>');
  }
  out.push('</channel>', '</rss>', '');
  return out.join('\n');
}
