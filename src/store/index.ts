// The SQLite store: one database file per data directory, schema by migrations.
export { openStore, migrate, schemaVersion, type Database, type OpenOptions } from './db.ts';
export { migrations, type Migration } from './migrations.ts';
export { ItemStore, getMeta, setMeta, type ItemRow, type NewItemRow, type RevisionRow, type MatchRule, type SiteStats } from './items.ts';
