// OPML import into and export out of the subscription table.
import type { Database } from '../store/index.ts';
import { readOpml, writeOpml, type OpmlFeed } from './opml.ts';
import { addSubscription, listSubscriptions, type SubscriptionStatus } from './subscriptions.ts';
import { normalizeUrl } from './url.ts';

export interface ImportResult {
  added: SubscriptionStatus[];
  /** Already subscribed, or listed twice in the file. */
  duplicates: OpmlFeed[];
  /** Outlines whose xmlUrl is not an http(s) URL, with the reason. */
  invalid: { feed: OpmlFeed; reason: string }[];
}

/** Subscribes to every feed of an OPML document that is not subscribed yet. */
export function importOpml(db: Database, input: Uint8Array | string, now = Date.now()): ImportResult {
  const doc = readOpml(input);
  const result: ImportResult = { added: [], duplicates: [], invalid: [] };
  const known = new Set(db.prepare('SELECT url FROM feeds WHERE id IN (SELECT feed_id FROM subscriptions)').pluck().all() as string[]);
  // One transaction: a 1,000-feed import is one disk sync, and all or nothing.
  db.transaction(() => {
    for (const feed of doc.feeds) {
      let url: string;
      try {
        url = normalizeUrl(feed.url);
      } catch (err) {
        result.invalid.push({ feed, reason: (err as Error).message });
        continue;
      }
      if (known.has(url)) {
        result.duplicates.push(feed);
        continue;
      }
      known.add(url);
      result.added.push(addSubscription(db, url, { site: feed.title, category: feed.category }, now));
      if (feed.htmlUrl) db.prepare('UPDATE feeds SET site_url = coalesce(site_url, ?) WHERE url = ?').run(feed.htmlUrl, url);
    }
  })();
  return result;
}

export function exportOpml(db: Database, title = 'feedmirror subscriptions', now = new Date()): string {
  const feeds = listSubscriptions(db).map((s) => ({ url: s.url, title: s.site, htmlUrl: s.siteUrl, category: s.category }));
  return writeOpml({ title, feeds }, now);
}
