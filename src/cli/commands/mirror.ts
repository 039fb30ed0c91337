// diff, sites, edited, archive rebuild, archive import: looking into the mirror's archive and index.
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../config/index.ts';
import { openStore, type Database } from '../../store/index.ts';
import { archiveRoot, diffVersions, lockDataDir, makeMirror, type Mirror, type Version } from '../../mirror/index.ts';

interface Flags {
  data?: string;
  config?: string;
}

function withMirror(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory (default ./data, or FEEDMIRROR_DATA)')
    .option('--config <file>', 'config file (default <data>/feedmirror.json)');
}

/** Runs a body with the config, the database and the mirror; errors become one line and exit code 1. */
async function run(name: string, o: Flags, body: (mirror: Mirror, db: Database, config: Config) => Promise<void> | void, writes = false): Promise<void> {
  let db: Database | undefined;
  let release: (() => void) | undefined;
  try {
    const config = loadConfig({ dataDir: o.data, configFile: o.config });
    db = openStore(config.dbPath);
    // Commands that write into the archive wait for no one: a running mirror must be stopped first.
    if (writes) release = lockDataDir(config.dataDir);
    const mirror = makeMirror(db, config);
    await body(mirror, db, config);
    await mirror.idle();
  } catch (e) {
    process.stderr.write(`feedmirror ${name}: ${(e as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    db?.close();
    release?.();
  }
}

const iso = (t?: number): string => (t === undefined ? '-' : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z'));

/** Terminal columns of a string: East Asian wide and full-width characters take two. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u.test(ch) ? 2 : 1;
  return w;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => width(r[i]))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - width(c)))).join('  ').trimEnd()).join('\n') + '\n';
}

/** An item by index id, archive path (articles/…) or file path. */
function findItem(mirror: Mirror, ref: string, root: string) {
  if (/^\d+$/.test(ref)) {
    const row = mirror.items.get(Number(ref));
    if (row) return row;
  }
  const candidates = [ref.replace(/\\/g, '/')];
  const rel = path.relative(root, path.resolve(ref)).split(path.sep).join('/');
  if (!rel.startsWith('..')) candidates.push(rel);
  for (const c of candidates) {
    const row = mirror.items.byPathOf(c.normalize('NFC'));
    if (row) return row;
  }
  throw new Error(`no archived item "${ref}" (give its id from "feedmirror edited", or its path articles/<site>/<file>)`);
}

export function register(program: Command): void {
  withMirror(program.command('diff <item>'))
    .description('what changed between the versions of an archived item (id, or path articles/<site>/<file>): a line diff of the HTML, one tag per line')
    .option('--context <n>', 'unchanged lines around each change', '2')
    .option('--words', 'show a changed line once, with removed text as [-…-] and added text as {+…+}')
    .action((ref: string, o: Flags & { context: string; words?: boolean }) => run('diff', o, async (mirror, _db, config) => {
      const context = Number(o.context);
      if (!Number.isInteger(context) || context < 0 || context > 1000) throw new Error('--context: expected a number from 0 to 1000');
      const row = findItem(mirror, ref, archiveRoot(config));
      const revisions = mirror.items.revisions(row.id);
      let current: Version;
      try {
        const item = await mirror.archive.read(row.path);
        current = { title: item.title, url: item.url, html: item.html, time: row.updated ?? row.firstSeen };
      } catch (e) {
        throw new Error(`${row.path}: ${(e as Error).message}`);
      }
      process.stdout.write(`#${row.id} ${row.path}\n${row.title}\n`);
      if (!revisions.length) {
        process.stdout.write('no earlier versions: the item was never edited\n');
        return;
      }
      const versions: Version[] = [...revisions.map((r) => ({ title: r.title, url: r.url, html: r.html, time: r.replaced })), current];
      for (let i = 1; i < versions.length; i++) {
        const label = i === versions.length - 1 ? 'current version' : `version ${i + 1}`;
        process.stdout.write(`\n=== version ${i} → ${label} (edit seen ${iso(versions[i - 1].time)})\n`);
        process.stdout.write(diffVersions(versions[i - 1], versions[i], context, { words: o.words }));
      }
    }));

  withMirror(program.command('sites'))
    .description('each archive site: items, edited items (with earlier versions), revisions, items whose file is missing, newest item')
    .option('--json', 'as JSON')
    .action((o: Flags & { json?: boolean }) => run('sites', o, (mirror) => {
      const stats = mirror.items.siteStats();
      if (o.json) {
        process.stdout.write(JSON.stringify(stats.map((s) => ({ ...s, newest: s.newest === undefined ? null : iso(s.newest) })), null, 2) + '\n');
        return;
      }
      if (!stats.length) {
        process.stdout.write('no archived items yet\n');
        return;
      }
      process.stdout.write(table([
        ['site', 'items', 'edited', 'revisions', 'missing', 'newest'],
        ...stats.map((s) => [s.site, String(s.items), String(s.edited), String(s.revisions), String(s.missing), iso(s.newest)]),
      ]));
    }));

  withMirror(program.command('edited [site]'))
    .description('items with earlier versions (newest edit first), for feedmirror diff <id>')
    .option('--limit <n>', 'at most this many', '50')
    .action((site: string | undefined, o: Flags & { limit: string }) => run('edited', o, (mirror, db) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit: expected a positive integer');
      const rows = db.prepare(`SELECT id, site, revisions, updated, title FROM items WHERE revisions > 0 ${site ? 'AND site = ?' : ''}
                               ORDER BY updated DESC, id DESC LIMIT ?`).all(...(site ? [mirror.archive.siteDir(site), limit] : [limit])) as
        { id: number; site: string; revisions: number; updated: number | null; title: string }[];
      if (!rows.length) {
        process.stdout.write('no edited items\n');
        return;
      }
      process.stdout.write(table([['id', 'site', 'versions', 'last edit', 'title'], ...rows.map((r) => [`${r.id}`, r.site, String(r.revisions + 1), iso(r.updated ?? undefined), r.title])]));
    }));

  const archive = program.commands.find((c) => c.name() === 'archive') ?? program.command('archive').description('the Markdown archive');
  withMirror(archive.command('rebuild'))
    .description("recreate the content index (items) from the archive files of the data directory; the files are the source of truth")
    .action((o: Flags) => run('archive rebuild', o, async (mirror, _db, config) => {
      const r = await mirror.reconcile({ rebuild: true });
      const c = await mirror.finishCycle({ git: { enabled: false } });
      for (const u of r.unreadable) process.stdout.write(`unreadable: ${u}\n`);
      process.stdout.write(`${archiveRoot(config)}: ${r.refreshed} items refreshed, ${r.adopted} added, ${r.dropped} without files dropped, ${r.tempRemoved} temporary files removed; ${c.lists.length} lists written\n`);
      if (r.unreadable.length) process.exitCode = 1;
    }, true));

  withMirror(archive.command('import <dir>'))
    .description('take in an archive in this layout (<dir>/articles/<site>/<id>_<title>.md) without duplicating items already here (same link, or same title and text)')
    .option('--map <from=to>', 'import site directory <from> as site <to> (repeatable), e.g. voa=美国之音', (v: string, prev: string[] = []) => [...prev, v])
    .action((dir: string, o: Flags & { map?: string[] }) => run('archive import', o, async (mirror, _db, config) => {
      const sites: Record<string, string> = {};
      for (const m of o.map ?? []) {
        const i = m.indexOf('=');
        if (i <= 0 || i === m.length - 1) throw new Error(`--map: expected from=to, got "${m}"`);
        sites[m.slice(0, i).normalize('NFC')] = m.slice(i + 1);
      }
      const reconcile = await mirror.reconcile();
      const r = await mirror.import(dir, { sites });
      const c = await mirror.finishCycle({ git: config.git });
      for (const u of r.unreadable) process.stdout.write(`unreadable: ${u}\n`);
      process.stdout.write(`${r.imported} imported, ${r.duplicates} already there, ${r.unreadable.length} unreadable; ${c.lists.length} lists written${reconcile.adopted ? ` (${reconcile.adopted} files adopted first)` : ''}\n`);
    }, true));
}
