// add, remove, rename, edit, list, import, export: the subscription list.
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig, parseDuration, formatDuration, type Config } from '../../config/index.ts';
import { openStore, type Database } from '../../store/index.ts';
import { Fetcher } from '../../fetch/index.ts';
import {
  addSubscription, removeSubscription, updateSubscription, listSubscriptions, resolveSubscription,
  findSubscriptions, importOpml, exportOpml, discover, parseHeader, type SubscriptionSettings, type SubscriptionStatus,
} from '../../subscribe/index.ts';

export interface StoreOptions {
  data?: string;
  config?: string;
}

/** Adds --data and --config to a command. */
export function storeOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory (default ./data, or FEEDMIRROR_DATA)')
    .option('--config <file>', 'config file (default <data>/feedmirror.json)');
}

/** Runs a command body with the config and the open database; errors become one line on stderr and exit code 1. */
export async function withStore(name: string, opts: StoreOptions, body: (db: Database, config: Config) => Promise<void> | void): Promise<void> {
  let db: Database | undefined;
  try {
    const config = loadConfig({ dataDir: opts.data, configFile: opts.config });
    db = openStore(config.dbPath);
    await body(db, config);
  } catch (err) {
    process.stderr.write(`feedmirror ${name}: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    db?.close();
  }
}

export function makeFetcher(config: Config): Fetcher {
  return new Fetcher({
    allow: config.allow,
    proxy: config.proxy,
    userAgent: config.userAgent,
    concurrency: config.concurrency,
    perHostConcurrency: config.perHost,
    perHostIntervalMs: config.perHostInterval,
    deadlineMs: config.timeout,
  });
}

interface SettingFlags {
  site?: string;
  category?: string;
  proxy?: string;
  userAgent?: string;
  header?: string[];
  minInterval?: string;
  maxInterval?: string;
  disabled?: boolean;
  enabled?: boolean;
  fulltext?: string;
}

function settingsFrom(o: SettingFlags): SubscriptionSettings {
  const s: SubscriptionSettings = {};
  if (o.site !== undefined) s.site = o.site;
  if (o.category !== undefined) s.category = o.category;
  if (o.proxy !== undefined) s.proxy = o.proxy;
  if (o.userAgent !== undefined) s.userAgent = o.userAgent;
  if (o.header?.length) s.headers = Object.fromEntries(o.header.map(parseHeader));
  if (o.minInterval !== undefined) s.minInterval = parseDuration(o.minInterval);
  if (o.maxInterval !== undefined) s.maxInterval = parseDuration(o.maxInterval);
  if (o.disabled) s.enabled = false;
  if (o.enabled) s.enabled = true;
  if (o.fulltext !== undefined) s.fulltext = o.fulltext;
  return s;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function settingOptions(cmd: Command): Command {
  return cmd
    .option('--site <name>', 'display name (default: the feed title)')
    .option('--category <name>', 'category; "/" nests (Tech/Web)')
    .option('--proxy <url>', 'proxy for this feed: http://, https://, socks5://, socks5h:// or "none" for direct')
    .option('--user-agent <ua>', 'User-Agent for this feed')
    .option('--header <header>', "extra request header 'Name: value' (repeatable; e.g. a Cookie)", collect)
    .option('--min-interval <duration>', 'check at most this often (e.g. 15m)')
    .option('--max-interval <duration>', 'check at least this often (e.g. 1d)')
    .option('--fulltext <mode>', 'full-text mode: auto, always or never');
}

export const when = (t: number | undefined, now = Date.now()): string => {
  if (!t) return '-';
  const d = t - now;
  return d >= 0 ? `in ${formatDuration(d)}` : `${formatDuration(-d)} ago`;
};

function describe(s: SubscriptionStatus): string {
  const bits = [`#${s.id}`, s.site, `<${s.url}>`];
  if (s.category) bits.push(`[${s.category}]`);
  if (!s.enabled) bits.push('(disabled)');
  return bits.join(' ');
}

export function register(program: Command): void {
  settingOptions(storeOptions(program.command('add <url>')))
    .description('subscribe to a feed, or to the feed a web page announces')
    .option('--disabled', 'add it without fetching it in cycles')
    .option('--no-discover', 'store the URL as given, without fetching it')
    .action((url: string, o: SettingFlags & StoreOptions & { discover: boolean }) => withStore('add', o, async (db, config) => {
      const settings = settingsFrom(o);
      let target = url;
      if (o.discover) {
        const fetcher = makeFetcher(config);
        try {
          const found = await discover(fetcher, url, {
            request: { proxy: settings.proxy === 'none' ? null : settings.proxy || undefined, userAgent: settings.userAgent, headers: settings.headers },
          });
          target = found.url;
          settings.site ??= found.title;
          const how = { direct: 'the URL is a feed', link: 'announced by the page', guess: 'found at a common path' }[found.via];
          process.stdout.write(`found ${found.kind} feed ${found.url} (${how})\n`);
          const others = found.candidates.filter((c) => c.url !== found.url);
          if (others.length) {
            process.stdout.write(`other feeds on the page:\n${others.map((c) => `  ${c.url}${c.title ? `  ${c.title}` : ''}\n`).join('')}`);
          }
        } finally {
          await fetcher.close();
        }
      }
      const sub = addSubscription(db, target, settings);
      const sharing = findSubscriptions(db, sub.url).filter((x) => x.id !== sub.id && x.feedId === sub.feedId);
      process.stdout.write(`added ${describe(sub)}\n`);
      if (sharing.length) process.stdout.write(`shares one fetch with ${sharing.map((x) => `#${x.id}`).join(', ')}\n`);
    }));

  storeOptions(program.command('remove <feed>'))
    .description('unsubscribe (feed: id, URL or site name)')
    .action((ref: string, o: StoreOptions) => withStore('remove', o, (db) => {
      const sub = resolveSubscription(db, ref);
      removeSubscription(db, sub.id);
      process.stdout.write(`removed ${describe(sub)}\n`);
    }));

  storeOptions(program.command('rename <feed> <site>'))
    .description('change the display name of a subscription')
    .action((ref: string, site: string, o: StoreOptions) => withStore('rename', o, (db) => {
      const sub = updateSubscription(db, resolveSubscription(db, ref).id, { site });
      process.stdout.write(`renamed ${describe(sub)}\n`);
    }));

  settingOptions(storeOptions(program.command('edit <feed>')))
    .description('change the settings of a subscription')
    .option('--url <url>', 'a new feed URL')
    .option('--enable', 'fetch it in cycles')
    .option('--disable', 'stop fetching it in cycles')
    .option('--clear-headers', 'drop every extra request header')
    .action((ref: string, o: SettingFlags & StoreOptions & { url?: string; enable?: boolean; disable?: boolean; clearHeaders?: boolean }) =>
      withStore('edit', o, (db) => {
        if (o.enable && o.disable) throw new Error('--enable and --disable together');
        const changes: SubscriptionSettings & { url?: string } = settingsFrom({ ...o, enabled: o.enable, disabled: o.disable });
        if (o.clearHeaders) changes.headers = {};
        if (o.url !== undefined) changes.url = o.url;
        const sub = updateSubscription(db, resolveSubscription(db, ref).id, changes);
        process.stdout.write(`updated ${describe(sub)}\n`);
      }));

  storeOptions(program.command('list'))
    .description('list subscriptions')
    .option('--json', 'as JSON')
    .action((o: StoreOptions & { json?: boolean }) => withStore('list', o, (db) => {
      const subs = listSubscriptions(db);
      if (o.json) {
        const out = subs.map((s) => ({
          id: s.id, site: s.site, url: s.url, category: s.category ?? null, enabled: s.enabled, fulltext: s.fulltext,
          proxy: s.proxy || null, userAgent: s.userAgent || null, headers: s.headers,
          minInterval: s.minInterval ?? null, maxInterval: s.maxInterval ?? null, feed: s.feedId, title: s.title ?? null,
        }));
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      for (const s of subs) process.stdout.write(describe(s) + '\n');
      process.stdout.write(`${subs.length} subscription${subs.length === 1 ? '' : 's'}\n`);
    }));

  storeOptions(program.command('import <file>'))
    .description('subscribe to every feed of an OPML file (- for stdin); already subscribed URLs are skipped')
    .action((file: string, o: StoreOptions) => withStore('import', o, async (db) => {
      const bytes = file === '-' ? await readStdin() : await readFile(file);
      const r = importOpml(db, bytes);
      for (const bad of r.invalid) process.stderr.write(`skipped ${bad.feed.url}: ${bad.reason}\n`);
      process.stdout.write(`imported ${r.added.length} feed${r.added.length === 1 ? '' : 's'}, ${r.duplicates.length} already subscribed, ${r.invalid.length} invalid\n`);
    }));

  storeOptions(program.command('export [file]'))
    .description('write the subscriptions as OPML 2.0 (to stdout without a file)')
    .option('--opml', 'OPML format (the only one, and the default)')
    .action((file: string | undefined, o: StoreOptions) => withStore('export', o, async (db) => {
      const xml = exportOpml(db);
      if (file && file !== '-') await writeFile(file, xml);
      else process.stdout.write(xml);
    }));
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
