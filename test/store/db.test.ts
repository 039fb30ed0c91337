import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openStore, schemaVersion, migrations, type Migration } from '../../src/store/index.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fm-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a new database gets every migration, WAL mode and foreign keys', (t) => {
  const path = join(tempDir(t), 'sub', 'feedmirror.db');
  const db = openStore(path);
  assert.equal(schemaVersion(db), migrations.length);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  for (const name of ['feeds', 'subscriptions']) assert.ok(tables.includes(name), `table ${name} missing`);
  db.prepare("INSERT INTO feeds (url, created) VALUES ('https://a.example/feed', 1)").run();
  // Per-feed cookies live here: owner-only, the WAL included.
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(path + '-wal').mode & 0o777, 0o600);
  assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
  db.close();
});

test('data survives a reopen and migrations are not re-applied', (t) => {
  const path = join(tempDir(t), 'feedmirror.db');
  let db = openStore(path);
  db.prepare("INSERT INTO feeds (url, created) VALUES ('https://a.example/feed', 1)").run();
  db.close();
  db = openStore(path);
  assert.equal(db.prepare('SELECT count(*) FROM feeds').pluck().get(), 1);
  db.close();
});

test('a later migration extends the schema in place', (t) => {
  const path = join(tempDir(t), 'feedmirror.db');
  openStore(path).close();
  const extra: Migration[] = [...migrations, { version: migrations.length + 1, name: 'later', up: 'CREATE TABLE later_test (id INTEGER PRIMARY KEY)' }];
  const db = openStore(path, { migrations: extra });
  assert.equal(schemaVersion(db), extra.length);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'later_test'").pluck().get(), 1);
  db.close();
});

test('a failing migration rolls back entirely', (t) => {
  const path = join(tempDir(t), 'feedmirror.db');
  const bad: Migration[] = [
    ...migrations,
    { version: migrations.length + 1, name: 'broken', up: 'CREATE TABLE half (x); CREATE TABLE half (y);' },
  ];
  assert.throws(() => openStore(path, { migrations: bad }), /already exists/);
  const db = openStore(path);
  assert.equal(schemaVersion(db), migrations.length);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get(), 0);
  db.close();
});

test('a database from a newer feedmirror is refused', (t) => {
  const path = join(tempDir(t), 'feedmirror.db');
  const db = openStore(path);
  db.pragma(`user_version = ${migrations.length + 5}`);
  db.close();
  assert.throws(() => openStore(path), /newer than this feedmirror/);
});

test('misnumbered migrations are rejected', () => {
  assert.throws(() => openStore(':memory:', { migrations: [{ version: 2, name: 'x', up: '' }] }), /numbered/);
});
