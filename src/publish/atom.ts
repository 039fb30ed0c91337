// Atom 1.0: HTML content escaped as type="html", tag: URI ids.
import { xmlText as x, type FeedDoc } from './feeds.ts';
import { rfc3339 } from './jsonfeed.ts';

export const ATOM_TYPE = 'application/atom+xml; charset=utf-8';

/** RFC 3339; the epoch when a date cannot be written (Atom requires one). */
const date = (ms: number): string => rfc3339(ms) ?? '1970-01-01T00:00:00Z';

export function toAtom(doc: FeedDoc): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${x(doc.id)}</id>`,
    `<title>${x(doc.title)}</title>`,
    `<updated>${date(doc.updated)}</updated>`,
    '<author><name>feedmirror</name></author>',
    '<generator>feedmirror</generator>',
  ];
  if (doc.self) out.push(`<link rel="self" type="application/atom+xml" href="${x(doc.self)}"/>`);
  if (doc.home) out.push(`<link rel="alternate" type="text/html" href="${x(doc.home)}"/>`);
  for (const e of doc.entries) {
    out.push('<entry>',
      `<id>${x(e.id)}</id>`,
      `<title type="text">${x(e.title)}</title>`,
      ...(e.url ? [`<link rel="alternate" type="text/html" href="${x(e.url)}"/>`] : []),
      `<published>${date(e.published)}</published>`,
      `<updated>${date(e.updated)}</updated>`,
      `<author><name>${x(e.site)}</name></author>`,
      `<category term="${x(e.site)}"/>`,
      `<content type="html">${x(e.html)}</content>`,
      '</entry>');
  }
  out.push('</feed>', '');
  return out.join('\n');
}
