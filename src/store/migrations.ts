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
  {
    version: 2,
    name: 'items, revisions, user state',
    // One row per archived item, keyed by the archive site directory (what the
    // files know), so that the index can be rebuilt from the files alone. The
    // current title and HTML live in the file; the row holds what dedupe and
    // lists need. source_hash is the feed's raw version (a repeat is recognized
    // without cleaning it), content_hash the archived one.
    up: `
      CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        feed_id INTEGER REFERENCES feeds (id) ON DELETE SET NULL,
        guid TEXT,
        link TEXT,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        source_hash TEXT,
        content_hash TEXT NOT NULL,
        time INTEGER,
        first_seen INTEGER NOT NULL,
        updated INTEGER,
        revisions INTEGER NOT NULL DEFAULT 0,
        archive_id INTEGER NOT NULL,
        path TEXT NOT NULL UNIQUE,
        -- 1: the file was gone at start-up; rewritten when the feed brings the item again.
        missing INTEGER NOT NULL DEFAULT 0,
        UNIQUE (site, archive_id)
      );
      CREATE INDEX items_guid ON items (site, guid) WHERE guid IS NOT NULL;
      CREATE INDEX items_link ON items (site, link) WHERE link IS NOT NULL;
      CREATE INDEX items_source ON items (site, source_hash) WHERE source_hash IS NOT NULL;
      CREATE INDEX items_content ON items (site, content_hash);
      CREATE INDEX items_feed ON items (feed_id);
      CREATE TABLE item_revisions (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        -- The version that was replaced, and when.
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        html TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        replaced INTEGER NOT NULL
      );
      CREATE INDEX item_revisions_item ON item_revisions (item_id, id);
      CREATE TABLE item_state (
        item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL
      );
      CREATE TABLE mirror_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'reader: list indexes, accounts, sessions, excerpts',
    // The web reader pages through items newest first by keyset (time, id);
    // an item without a time sorts by when it was first seen. Session ids are
    // stored hashed, so a copy of the database does not log anyone in.
    // Excerpts are filled lazily from the archive files, keyed by content hash
    // so an edited item gets a fresh one.
    up: `
      CREATE INDEX items_when ON items (coalesce(time, first_seen), id);
      CREATE INDEX items_site_when ON items (site, coalesce(time, first_seen), id);
      CREATE INDEX item_state_starred ON item_state (starred) WHERE starred = 1;
      CREATE TABLE reader_accounts (
        name TEXT PRIMARY KEY,
        password TEXT NOT NULL,
        created INTEGER NOT NULL
      );
      CREATE TABLE reader_sessions (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES reader_accounts (name) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created INTEGER NOT NULL,
        expires INTEGER NOT NULL
      );
      CREATE INDEX reader_sessions_expires ON reader_sessions (expires);
      CREATE TABLE reader_excerpts (
        item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
        content_hash TEXT NOT NULL,
        excerpt TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'full-text search index',
    // Keyed by items.id. The FTS5 table is contentless (the token streams are
    // rebuilt from the text); search_docs holds what filters and ranking read
    // per hit, kept narrow so it stays in cache; search_text the plain text
    // that snippets are cut from. Deleting an item drops it from the index.
    up: `
      CREATE VIRTUAL TABLE search_fts USING fts5 (
        title, body, content = '', contentless_delete = 1, tokenize = 'ascii'
      );
      CREATE TABLE search_docs (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        published INTEGER
      );
      CREATE INDEX search_docs_site ON search_docs (site, published);
      CREATE INDEX search_docs_published ON search_docs (published);
      CREATE TABLE search_text (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE TRIGGER search_items_delete AFTER DELETE ON items BEGIN
        DELETE FROM search_fts WHERE rowid = old.id;
        DELETE FROM search_docs WHERE id = old.id;
        DELETE FROM search_text WHERE id = old.id;
      END;
    `,
  },
  {
    version: 5,
    name: 'mirror: when each feed was last archived',
    // A fetch that did not go through the mirror (feedmirror fetch) stores the
    // feed's validators without archiving its items; the mirror compares this
    // time with the feed's last_success and then fetches it in full again.
    up: `
      CREATE TABLE feed_mirror (
        feed_id INTEGER PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
        archived INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'reader: per-site counts from an index',
    // The reader's side bar counts items per site on every refresh; from this
    // covering index that is a short scan instead of reading every row.
    up: `CREATE INDEX items_site_missing ON items (site, missing);`,
  },
  {
    version: 7,
    name: 'publish: saved searches',
    // A named query whose results are republished as a feed (/feeds/search/<name>).
    up: `
      CREATE TABLE saved_searches (
        name TEXT PRIMARY KEY,
        query TEXT NOT NULL,
        created INTEGER NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'sync APIs: credentials, tokens, labels, unread index',
    // API passwords are random, so a plain SHA-256 is enough to keep a copy of
    // the database from logging anyone in; Fever's protocol needs
    // md5(username:password), stored as such. Every item gets a state row when
    // it arrives, so unread ids come from a partial index (as many rows read
    // as there are unread items) instead of a scan of all items. Label ids
    // give categories the stable integer ids Fever and Miniflux need.
    up: `
      CREATE TABLE api_credentials (
        account TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        fever_key TEXT NOT NULL,
        created INTEGER NOT NULL
      );
      CREATE TABLE api_tokens (
        hash TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES api_credentials (account) ON DELETE CASCADE,
        created INTEGER NOT NULL
      );
      CREATE TABLE api_labels (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      CREATE TABLE api_feed_titles (
        subscription_id INTEGER PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
        title TEXT NOT NULL
      );
      CREATE INDEX items_first_seen ON items (first_seen);
      INSERT OR IGNORE INTO item_state (item_id, read, starred, updated) SELECT id, 0, 0, first_seen FROM items;
      CREATE INDEX item_state_unread ON item_state (item_id) WHERE read = 0;
      CREATE TRIGGER api_item_state AFTER INSERT ON items BEGIN
        INSERT OR IGNORE INTO item_state (item_id, read, starred, updated) VALUES (new.id, 0, 0, new.first_seen);
      END;
    `,
  },
  {
    version: 9,
    name: 'item_pages',
    // The article page behind an extracted item, kept (compressed) so that new
    // extraction rules or templates can be applied to old items; or why it failed.
    up: `
      CREATE TABLE item_pages (
        item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        fetched INTEGER NOT NULL,
        content_type TEXT,
        -- brotli-compressed page bytes; NULL when the fetch failed or the page was over the cap
        body BLOB,
        error TEXT
      );
    `,
  },
  {
    version: 10,
    name: 'sync APIs: item ids by missing',
    // Counts over an id range (Miniflux's total after after_entry_id, Fever's
    // total_items) read this narrow index instead of every row of the table.
    up: `CREATE INDEX items_missing ON items (missing);`,
  },
  {
    version: 11,
    name: 'drop items (missing) again',
    // Without table statistics SQLite took migration 10's index for every
    // "missing = 0" query, the reader's newest-first list included, and sorted
    // all items in a temporary tree instead of walking items_when. Counts over
    // id ranges read the table instead; that is the smaller cost.
    up: `DROP INDEX IF EXISTS items_missing;`,
  },
  {
    version: 12,
    name: 'publish: feed keys',
    // The secret that lets feed reader apps (which have no session cookie) read
    // the republished feeds of a private server: /feeds/...?key=<key>. Kept in
    // clear because the settings page shows the keyed URLs; one row, 'feeds'.
    up: `
      CREATE TABLE feed_keys (
        name TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        created INTEGER NOT NULL
      );
    `,
  },
];
