// reextract: the stored article pages of old items through the current site rules and template.
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { openStore, type Database } from '../../store/index.ts';
import { archiveRoot, finishReextract, lockDataDir, makeFetcher, makeMirror } from '../../mirror/index.ts';

interface Flags {
  data?: string;
  config?: string;
  all?: boolean;
  json?: boolean;
}

/** Item ids and feed ids a reference names: an item id or archive path, else a feed URL or a site name. */
function resolveRef(db: Database, root: string, ref: string): { itemIds: number[]; feedIds: number[] } {
  if (/^\d+$/.test(ref)) {
    const id = db.prepare('SELECT id FROM items WHERE id = ?').pluck().get(Number(ref)) as number | undefined;
    if (id !== undefined) return { itemIds: [id], feedIds: [] };
  }
  const rel = path.relative(root, path.resolve(ref)).split(path.sep).join('/');
  for (const p of [ref.replace(/\\/g, '/'), rel]) {
    const id = db.prepare('SELECT id FROM items WHERE path = ?').pluck().get(p.normalize('NFC')) as number | undefined;
    if (id !== undefined) return { itemIds: [id], feedIds: [] };
  }
  const feeds = db.prepare(`SELECT DISTINCT f.id FROM feeds f LEFT JOIN subscriptions s ON s.feed_id = f.id WHERE f.url = ? OR s.site = ?`)
    .pluck().all(ref, ref.normalize('NFC')) as number[];
  if (feeds.length) return { itemIds: [], feedIds: feeds };
  throw new Error(`no item or feed "${ref}" (give an item id or path articles/<site>/<file>, a feed URL or a site name, or --all)`);
}

export function register(program: Command): void {
  program.command('reextract [ref]')
    .description('apply the current site rules and extraction template to the stored article pages of one item, one feed (URL or site name) or --all; changed items get a revision')
    .option('--all', 'every item with a stored page')
    .option('--json', 'print the counts as JSON')
    .option('--data <dir>', 'data directory (default ./data, or FEEDMIRROR_DATA)')
    .option('--config <file>', 'config file (default <data>/feedmirror.json)')
    .action(async (ref: string | undefined, o: Flags) => {
      let db: Database | undefined;
      let release: (() => void) | undefined;
      let fetcher: ReturnType<typeof makeFetcher> | undefined;
      try {
        if (!ref && !o.all) throw new Error('give an item, a feed, or --all');
        if (ref && o.all) throw new Error('give either a reference or --all, not both');
        const config = loadConfig({ dataDir: o.data, configFile: o.config });
        db = openStore(config.dbPath);
        // Writes into the archive: a running mirror must be stopped first.
        release = lockDataDir(config.dataDir);
        // Further pages of multi-page articles and archive-mode images are fetched again.
        fetcher = makeFetcher(config);
        const mirror = makeMirror(db, config, undefined, fetcher);
        const sel = o.all ? { all: true } : resolveRef(db, archiveRoot(config), ref!);
        const r = await mirror.reextract(sel);
        await finishReextract(mirror, config);
        if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
        else {
          process.stdout.write(`${r.checked} checked, ${r.changed} changed, ${r.unchanged} unchanged, ${r.failed} failed\n`);
          for (const e of r.errors) process.stdout.write(`  ${e}\n`);
        }
        if (r.failed) process.exitCode = 1;
      } catch (e) {
        process.stderr.write(`feedmirror reextract: ${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await fetcher?.close().catch(() => undefined);
        db?.close();
        release?.();
      }
    });
}
