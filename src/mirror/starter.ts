// The subscriptions of a first start: the sources of the reference system
// (duty-machine/news perform.js), under the site names its 2020 archive used.
import { addSubscription } from '../subscribe/index.ts';
import { getMeta, setMeta, type Database } from '../store/index.ts';

export interface StarterFeed {
  site: string;
  url: string;
}

export const STARTER: readonly StarterFeed[] = [
  // feedx.net full-text feeds; VOA is mgzy1.xml, as the reference system read it.
  { site: '美国之音', url: 'https://feedx.net/rss/mgzy1.xml' },
  { site: 'BBC', url: 'https://feedx.net/rss/bbc.xml' },
  { site: '法广', url: 'https://feedx.net/rss/rfi.xml' },
  { site: '德国之声', url: 'https://feedx.net/rss/dw.xml' },
  { site: '纽约时报', url: 'https://feedx.net/rss/nytimes.xml' },
  { site: '路透', url: 'https://feedx.net/rss/reuters.xml' },
  { site: '金融时报', url: 'https://feedx.net/rss/ft.xml' },
  { site: '自由亚洲电台', url: 'https://www.rfa.org/mandarin/RSS' },
  { site: '中国数字时代', url: 'https://chinadigitaltimes.net/chinese/feed/' },
];

/**
 * Subscribes to the starter list once: when there are no subscriptions and it
 * was never done (a user who removes them all does not get them back).
 * Returns the number added.
 */
export function seedStarter(db: Database, now = Date.now()): number {
  if (getMeta(db, 'starter')) return 0;
  const count = db.prepare('SELECT count(*) FROM subscriptions').pluck().get() as number;
  let added = 0;
  db.transaction(() => {
    if (count === 0) {
      for (const f of STARTER) {
        addSubscription(db, f.url, { site: f.site, category: 'News' }, now);
        added++;
      }
    }
    setMeta(db, 'starter', new Date(now).toISOString());
  })();
  return added;
}
