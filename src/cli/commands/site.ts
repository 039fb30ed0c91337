// feedmirror site: the static mirror site, and the saved searches that it and the
// server republish as feeds.
import type { Command } from 'commander';
import { imageOptions } from '../../content/index.ts';
import { archiveRoot } from '../../mirror/index.ts';
import { deleteSearch, savedSearches, saveSearch } from '../../publish/index.ts';
import { buildSite } from '../../site/index.ts';
import { storeOptions, withStore, type StoreOptions } from './subscriptions.ts';

interface BuildFlags extends StoreOptions {
  baseUrl?: string;
  pageSize: string;
  feedLimit: string;
}

function count(value: string, what: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) throw new Error(`--${what}: expected a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

export function register(program: Command): void {
  const site = program.command('site').description('the static mirror site and the saved-search feeds');
  storeOptions(
    site
      .command('build')
      .argument('<dir>', 'output directory (new, empty, or an earlier site: only changed files are written)')
      .description('write a static copy of the mirror: pages, feeds and a Chinese-aware search, relative links only')
      .option('--base-url <url>', 'public URL of the site, for absolute links in its feeds')
      .option('--page-size <n>', 'items per list page', '50')
      .option('--feed-limit <n>', 'items per feed', '50'),
  ).action(async (dir: string, opts: BuildFlags) => {
    await withStore('site build', opts, async (db, config) => {
      const report = await buildSite(db, {
        out: dir,
        root: archiveRoot(config),
        images: imageOptions(config.images, config.dataDir),
        baseUrl: opts.baseUrl,
        pageSize: count(opts.pageSize, 'page-size', 1000),
        feedLimit: count(opts.feedLimit, 'feed-limit', 500),
        timeZone: config.timeZone,
      });
      for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`${report.items} items, ${report.files} files (${report.written} written, ${report.removed} removed), ${(report.bytes / 1048576).toFixed(1)} MB in ${(report.ms / 1000).toFixed(1)} s\n`);
    });
  });
  storeOptions(
    site.command('save-search').argument('<name>').argument('<query...>').description('store a named search, republished at /feeds/search/<name>.rss|atom|json'),
  ).action(async (name: string, query: string[], opts: StoreOptions) => {
    await withStore('site save-search', opts, (db) => saveSearch(db, name, query.join(' ')));
  });
  storeOptions(site.command('searches').description('list the saved searches')).action(async (opts: StoreOptions) => {
    await withStore('site searches', opts, (db) => {
      for (const s of savedSearches(db)) process.stdout.write(`${s.name}\t${s.query}\n`);
    });
  });
  storeOptions(site.command('delete-search').argument('<name>').description('remove a saved search')).action(async (name: string, opts: StoreOptions) => {
    await withStore('site delete-search', opts, (db) => {
      if (!deleteSearch(db, name)) throw new Error(`no saved search "${name}"`);
    });
  });
}
