// run and once: the mirror's scheduler loop (what `npm start` runs), and one cycle for cron jobs.
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../config/index.ts';
import type { CycleSummary, FeedReport } from '../../schedule/index.ts';
import { archiveRoot, runOnce, startMirror, type CycleResult, type IngestResult, type Log, type ReconcileReport } from '../../mirror/index.ts';

interface RunFlags {
  data?: string;
  config?: string;
  starter?: boolean;
  due?: boolean;
  quiet?: boolean;
}

const stamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function printer(quiet: boolean) {
  const line = (text: string): void => {
    process.stdout.write(`${stamp()} ${text}\n`);
  };
  const log: Log = {
    info: (obj, msg) => {
      if (msg.startsWith('permanent redirect') || msg.startsWith('first start')) line(`${msg} ${JSON.stringify(obj)}`);
    },
    warn: (obj, msg) => {
      // Per-feed errors are printed by onFeed; the rest (cleaning, git) here.
      if (!('url' in obj && 'kind' in obj)) line(`warning: ${msg}`);
    },
  };
  const onFeed = (r: FeedReport, ingest?: IngestResult): void => {
    if (r.outcome === 'error') line(`${r.feed.url}: ${r.error?.kind ?? 'error'}: ${r.error?.message ?? 'failed'}`);
    else if (!quiet && r.outcome === 'updated') {
      const i = ingest;
      const what = i ? `${i.added + i.restored} new, ${i.updated} updated` : 'not archived';
      line(`${r.feed.url}: ${r.items ?? 0} items, ${what}`);
    } else if (!quiet) line(`${r.feed.url}: not modified`);
  };
  const onCycle = (s: CycleSummary, c: CycleResult): void => {
    let text = `cycle: ${s.total} feeds (${s.updated} updated, ${s.notModified} not modified, ${s.errors} failed); ${c.added} new, ${c.updated} updated items`;
    if (c.publish?.commit) text += `; committed ${c.publish.commit.slice(0, 12)}`;
    if (c.publish?.pushed) text += ', pushed';
    if (c.publish?.pushError) text += `; push failed: ${c.publish.pushError}`;
    if (c.publishError) text += `; git failed: ${c.publishError}`;
    line(text);
  };
  const onReconcile = (r: ReconcileReport): void => {
    const parts: string[] = [];
    if (r.tempRemoved) parts.push(`${r.tempRemoved} temporary files removed`);
    if (r.adopted) parts.push(`${r.adopted} files without index rows adopted`);
    if (r.missing) parts.push(`${r.missing} items without files marked for refetch`);
    if (r.unreadable.length) parts.push(`${r.unreadable.length} unreadable files (${r.unreadable.slice(0, 3).join('; ')})`);
    if (parts.length) line(`start-up check: ${parts.join(', ')}`);
  };
  return { log, onFeed, onCycle, onReconcile, line };
}

function load(o: RunFlags): Config {
  return loadConfig({ dataDir: o.data, configFile: o.config });
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run the mirror: fetch feeds when due, keep the archive and its lists current, publish with git if configured (Ctrl-C to stop)')
    .option('--data <dir>', 'data directory (default ./data, or FEEDMIRROR_DATA)')
    .option('--config <file>', 'config file (default <data>/feedmirror.json)')
    .option('--no-starter', 'do not subscribe to the starter list on a first start')
    .option('--quiet', 'print only errors and cycle summaries')
    .action(async (o: RunFlags) => {
      const p = printer(o.quiet ?? false);
      let handle: Awaited<ReturnType<typeof startMirror>> | undefined;
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) {
          // A second Ctrl-C: the user does not want to wait.
          process.stderr.write('feedmirror run: stopped without waiting\n');
          process.exit(130);
        }
        stopping = true;
        p.line(`${signal}: finishing the writes in flight…`);
        void handle?.stop();
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      try {
        const config = load(o);
        handle = await startMirror(config, { ...p, starter: o.starter });
        p.line(`feedmirror running: data ${config.dataDir}, archive ${archiveRoot(config)}`);
        if (stopping) void handle.stop();
        await handle.done;
        p.line('stopped');
      } catch (e) {
        process.stderr.write(`feedmirror run: ${(e as Error).message}\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('once')
    .description('one cycle, then exit (for cron or CI): every enabled feed is fetched, new and edited items archived; exit 0 even if some feeds failed')
    .option('--data <dir>', 'data directory (default ./data, or FEEDMIRROR_DATA)')
    .option('--config <file>', 'config file (default <data>/feedmirror.json)')
    .option('--due', 'only the feeds whose next check has come')
    .option('--no-starter', 'do not subscribe to the starter list on a first start')
    .option('--quiet', 'print only errors and the summary')
    .action(async (o: RunFlags) => {
      const p = printer(o.quiet ?? false);
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const config = load(o);
        const r = await runOnce(config, { ...p, due: o.due ?? false, starter: o.starter, signal: controller.signal });
        if (!r.summary.total) p.line('no feeds to fetch (add one with: feedmirror add <url>)');
      } catch (e) {
        process.stderr.write(`feedmirror once: ${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
