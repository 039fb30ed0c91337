// feedmirror feeds urls: the republished feeds' URLs with the feed key, for
// feed reader apps, when the settings page is out of reach (or to script them).
import type { Command } from 'commander';
import { feedKey, feedLinks, replaceFeedKey } from '../../publish/index.ts';
import { serverSettings } from '../../server/index.ts';
import { storeOptions, withStore, type StoreOptions } from './subscriptions.ts';

interface Flags extends StoreOptions {
  baseUrl?: string;
  format: string;
  newKey?: boolean;
}

/** http(s) URL with no query or fragment; a path is kept (a server behind a proxy under /feedmirror/). */
function baseOf(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`--base-url: not a URL: "${value.slice(0, 200)}"`);
  }
  if (!/^https?:$/.test(u.protocol) || u.search || u.hash || u.username || u.password) throw new Error(`--base-url: expected http(s)://host[:port][/path], got "${value.slice(0, 200)}"`);
  return u.href;
}

export function register(program: Command): void {
  const feeds = program.command('feeds').description('the republished feeds (/feeds/...) of the web reader');
  storeOptions(
    feeds
      .command('urls')
      .description('print the feed URLs with the feed key (a private server answers them without a login), one per line: kind, name, URL')
      .option('--base-url <url>', 'public URL of the web reader (default http://<server host>:<port>)')
      .option('--format <format>', 'rss, atom or json', 'rss')
      .option('--new-key', 'replace the feed key first: every URL given out before stops working'),
  ).action(async (opts: Flags) => {
    await withStore('feeds urls', opts, (db, config) => {
      if (!['rss', 'atom', 'json'].includes(opts.format)) throw new Error(`--format: expected rss, atom or json, got "${opts.format.slice(0, 20)}"`);
      let base = opts.baseUrl && baseOf(opts.baseUrl);
      if (!base) {
        const s = serverSettings(config);
        // A wildcard listen address is no address to subscribe to: the local one stands in.
        const host = !s.host || s.host === '0.0.0.0' || s.host === '::' ? '127.0.0.1' : s.host;
        base = `http://${host.includes(':') ? `[${host}]` : host}:${s.port ?? 8080}/`;
      }
      const key = opts.newKey ? replaceFeedKey(db) : feedKey(db);
      const format = opts.format as 'rss' | 'atom' | 'json';
      for (const l of feedLinks(db, base, key)) process.stdout.write(`${l.kind}\t${l.name || '-'}\t${l[format]}\n`);
    });
  });
}
