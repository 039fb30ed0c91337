import Sqlite from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations as schema, type Migration } from './migrations.ts';

export type { Database };

export interface OpenOptions {
  readonly?: boolean;
  /** For tests of the migration runner itself. */
  migrations?: Migration[];
}

/** Opens (creating if needed) the database file and brings its schema up to date. */
export function openStore(path: string, options: OpenOptions = {}): Database {
  // Owner-only: the database holds per-feed cookies and authorization headers.
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fresh = path !== ':memory:' && !existsSync(path);
  const db = new Sqlite(path, { readonly: options.readonly ?? false });
  // SQLite gives its -wal and -shm files the mode of the database file.
  if (fresh) chmodSync(path, 0o600);
  try {
    // busy_timeout first: a second process (server and CLI) may hold the write lock.
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL is durable across application crashes in WAL mode; only a power
      // loss may drop the last commits, which the next fetch redoes.
      db.pragma('synchronous = NORMAL');
      // An insert into items fires a trigger, so inside a transaction it keeps a statement
      // journal, which past 64 KiB spills into a temporary file; in memory, inserts cost half.
      db.pragma('temp_store = MEMORY');
    }
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations ?? schema);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration newer than the database, each in its own transaction. */
export function migrate(db: Database, list: Migration[] = schema): number {
  const sorted = [...list].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3...: found ${m.version} at ${i + 1}`);
  });
  const current = schemaVersion(db);
  const latest = sorted.length;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this feedmirror (${latest}); upgrade feedmirror`);
  }
  for (const m of sorted.slice(current)) {
    if (db.readonly) throw new Error(`database needs migration to version ${m.version} but is open read-only`);
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return latest;
}
