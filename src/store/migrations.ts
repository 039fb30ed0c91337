// The schema, as an append-only list: version N is applied to a database at
// user_version N-1. Never edit a released entry; add a new one instead.
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database) => void);
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'feeds and subscriptions',
    // A feed is one fetch target: a URL plus the request settings that can change
    // the answer. Subscriptions with the same URL and settings share one feed row,
    // so they cost one request and one copy of the fetch state.
    up: `
      CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        proxy TEXT NOT NULL DEFAULT '',
        user_agent TEXT NOT NULL DEFAULT '',
        headers TEXT NOT NULL DEFAULT '{}',
        title TEXT,
        site_url TEXT,
        etag TEXT,
        last_modified TEXT,
        last_fetch INTEGER,
        last_success INTEGER,
        last_status INTEGER,
        last_error TEXT,
        last_error_kind TEXT,
        error_count INTEGER NOT NULL DEFAULT 0,
        next_check INTEGER NOT NULL DEFAULT 0,
        item_count INTEGER,
        -- What the feed said about its refresh rate (ttl, skipHours, sy:*), as
        -- JSON, kept because a 304 answer carries no feed to read it from.
        hints TEXT,
        -- Mean interval between the newest items, ms.
        change_interval INTEGER,
        newest_item INTEGER,
        created INTEGER NOT NULL,
        UNIQUE (url, proxy, user_agent, headers)
      );
      CREATE INDEX feeds_next_check ON feeds (next_check);
      CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds (id),
        site TEXT NOT NULL,
        category TEXT,
        min_interval INTEGER,
        max_interval INTEGER,
        enabled INTEGER NOT NULL DEFAULT 1,
        fulltext TEXT NOT NULL DEFAULT 'auto',
        created INTEGER NOT NULL
      );
      CREATE INDEX subscriptions_feed ON subscriptions (feed_id);
      CREATE INDEX subscriptions_site ON subscriptions (site);
    `,
  },
];
