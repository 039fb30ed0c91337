// fetch and status: run a fetch cycle now, and show each feed's fetch state.
import type { Command } from 'commander';
import { pino } from 'pino';
import { runCycle, type FeedReport } from '../../schedule/index.ts';
import { listSubscriptions, resolveSubscription } from '../../subscribe/index.ts';
import { storeOptions, withStore, makeFetcher, when, type StoreOptions } from './subscriptions.ts';

/** A one-line progress bar for terminals, redrawn at most ten times a second. */
class Progress {
  private last = 0;
  private errors = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}
  update(report: FeedReport, done: number, total: number): void {
    if (report.outcome === 'error') this.errors++;
    const now = Date.now();
    if (done < total && now - this.last < 100) return;
    this.last = now;
    const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - 50));
    const filled = Math.round((done / total) * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.out.write(`\r[${bar}] ${done}/${total} feeds${this.errors ? `, ${this.errors} failed` : ''}\x1b[K`);
    if (done === total) this.out.write('\n');
  }
}

export function register(program: Command): void {
  storeOptions(program.command('fetch [feeds...]'))
    .description('fetch feeds now: the due ones, the given ones (id, URL or site name), or --all')
    .option('--all', 'every enabled feed, due or not')
    .action((refs: string[], o: StoreOptions & { all?: boolean }) => withStore('fetch', o, async (db, config) => {
      const feedIds = refs.length ? [...new Set(refs.map((r) => resolveSubscription(db, r).feedId))] : undefined;
      const tty = process.stderr.isTTY === true;
      const log = tty ? undefined : pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
      const progress = tty ? new Progress(process.stderr) : undefined;
      const fetcher = makeFetcher(config);
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      try {
        const summary = await runCycle(db, fetcher, {
          feedIds, due: !o.all, minInterval: config.minInterval, maxInterval: config.maxInterval,
          concurrency: config.concurrency, signal: controller.signal,
          log: log ?? {
            // On a terminal only what needs attention is printed, above the bar.
            info: (obj, msg) => { if (msg.startsWith('permanent redirect')) process.stderr.write(`\r\x1b[K${msg}: ${JSON.stringify(obj)}\n`); },
            warn: (obj, msg) => process.stderr.write(`\r\x1b[K${(obj as { url?: string }).url}: ${msg}\n`),
          },
          onProgress: (r, done, total) => progress?.update(r, done, total),
        });
        const text = `${summary.total} feeds in ${(summary.elapsedMs / 1000).toFixed(1)}s: ${summary.updated} updated, ${summary.notModified} not modified, ${summary.errors} failed, ${summary.redirected} moved; ${summary.items} items`;
        if (log) log.info(summary, 'cycle done');
        else process.stdout.write(text + '\n');
        if (summary.errors && summary.errors === summary.total) process.exitCode = 1;
      } finally {
        process.off('SIGINT', stop);
        await fetcher.close();
      }
    }));

  storeOptions(program.command('status'))
    .description("each feed's last fetch, item count, next check and last error")
    .option('--json', 'as JSON')
    .action((o: StoreOptions & { json?: boolean }) => withStore('status', o, (db) => {
      const subs = listSubscriptions(db);
      if (o.json) {
        const iso = (t?: number): string | null => (t ? new Date(t).toISOString() : null);
        process.stdout.write(JSON.stringify(subs.map((s) => ({
          id: s.id, site: s.site, url: s.url, enabled: s.enabled, lastFetch: iso(s.lastFetch), lastSuccess: iso(s.lastSuccess),
          lastStatus: s.lastStatus ?? null, items: s.itemCount ?? null, nextCheck: iso(s.nextCheck),
          errors: s.errorCount, lastError: s.lastError ?? null, lastErrorKind: s.lastErrorKind ?? null,
        })), null, 2) + '\n');
        return;
      }
      const now = Date.now();
      const rows = subs.map((s) => [
        `#${s.id}`, s.site.length > 30 ? s.site.slice(0, 29) + '…' : s.site, when(s.lastFetch, now), s.lastStatus ? String(s.lastStatus) : '-',
        s.itemCount === undefined ? '-' : String(s.itemCount), !s.enabled ? 'disabled' : s.nextCheck <= now ? 'due' : when(s.nextCheck, now),
        s.lastError ? `${s.lastErrorKind}: ${s.lastError}${s.errorCount > 1 ? ` (x${s.errorCount})` : ''}` : '',
      ]);
      const head = ['id', 'site', 'last fetch', 'http', 'items', 'next check', 'last error'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const r of [head, ...rows]) process.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd() + '\n');
    }));
}
