// JSON Feed 1.1 of a republished feed (the same document rss.ts and atom.ts write).
import type { FeedDoc } from './feeds.ts';
import { JSON_FEED_VERSION, rfc3339 } from './jsonfeed.ts';

export const JSON_TYPE = 'application/feed+json; charset=utf-8';

export function toJson(doc: FeedDoc): string {
  const feed: Record<string, unknown> = { version: JSON_FEED_VERSION, title: doc.title };
  if (doc.home) feed.home_page_url = doc.home;
  if (doc.self) feed.feed_url = doc.self;
  feed.items = doc.entries.map((e) => ({
    id: e.id,
    url: e.url || undefined,
    title: e.title,
    content_html: e.html,
    date_published: rfc3339(e.published),
    date_modified: rfc3339(e.updated),
    authors: [{ name: e.site }],
    tags: [e.site],
  }));
  return `${JSON.stringify(feed, null, 1)}\n`;
}
