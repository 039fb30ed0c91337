// run and once: the mirror's scheduler loop with the web server beside it (what
// `npm start` runs), and one cycle for cron jobs.
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../config/index.ts';
import type { CycleSummary, FeedReport } from '../../schedule/index.ts';
import { archiveRoot, runOnce, startMirror, type CycleResult, type IngestResult, type Log, type MirrorHandle, type ReconcileReport } from '../../mirror/index.ts';
import { serverSettings, startServer, type ServerHandle } from '../../server/index.ts';
import { openStore, type Database } from '../../store/index.ts';

interface RunFlags {
  data?: string;
  config?: string;
  starter?: boolean;
  due?: boolean;
  quiet?: boolean;
  host?: string;
  port?: string;
  public?: boolean;
}

/** How long a shutdown after a crash may take before the process just exits. */
const CRASH_GRACE_MS = 10_000;

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
    .description('run the mirror and the web server (reader, image proxy, republished feeds, sync APIs; default http://127.0.0.1:8080): fetch feeds when due, keep the archive current, publish with git if configured (Ctrl-C to stop)')
    .option('--data <dir>', 'data directory (default ./data, or FEEDMIRROR_DATA)')
    .option('--config <file>', 'config file (default <data>/feedmirror.json)')
    .option('--no-starter', 'do not subscribe to the starter list on a first start')
    .option('--quiet', 'print only errors and cycle summaries')
    .option('--host <host>', 'address the web server listens on (default 127.0.0.1, or server.host, FEEDMIRROR_HOST)')
    .option('--port <port>', 'web server port (default 8080, or server.port, FEEDMIRROR_PORT; 0 = any free port)')
    .option('--public', 'public read-only reader: anyone reads, only the administrator changes')
    .action(async (o: RunFlags) => {
      const p = printer(o.quiet ?? false);
      // Crashes and stray rejections go to stderr as JSON lines, with their stacks.
      const logger: Logger = pino({ base: { cmd: 'feedmirror run' } }, pino.destination({ dest: 2, sync: true }));
      let mirror: MirrorHandle | undefined;
      let server: ServerHandle | undefined;
      let serverDb: Database | undefined;
      let stopping: Promise<void> | undefined;

      // The server first (no new requests, those in flight answered), then the mirror (writes in flight finish).
      // Safe to call again: it closes what was opened since.
      const closeAll = async (): Promise<void> => {
        const s = server;
        server = undefined;
        await s?.close().catch((err: unknown) => logger.error({ err }, 'closing the web server failed'));
        const d = serverDb;
        serverDb = undefined;
        d?.close();
        await mirror?.stop();
      };
      const shutdown = (why?: string): Promise<void> => {
        if (!stopping && why) p.line(`${why}: finishing the writes in flight (the web server closes first)…`);
        stopping ??= closeAll();
        return stopping;
      };
      const onSignal = (signal: string): void => {
        if (stopping) {
          // A second Ctrl-C: the user does not want to wait.
          process.stderr.write('feedmirror run: stopped without waiting\n');
          process.exit(130);
        }
        void shutdown(signal);
      };
      process.on('SIGINT', () => onSignal('SIGINT'));
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      // A rejection nobody awaited is a bug, but not one worth the mirror: log it and go on.
      process.on('unhandledRejection', (reason) => {
        logger.error({ err: reason instanceof Error ? reason : { message: String(reason) } }, 'unhandled promise rejection (still running)');
      });
      // After an uncaught exception the state is unknown: shut down cleanly if we can, then exit 1.
      process.on('uncaughtException', (err, origin) => {
        logger.fatal({ err, origin }, 'uncaught exception: shutting down');
        process.exitCode = 1;
        setTimeout(() => process.exit(1), CRASH_GRACE_MS).unref();
        void shutdown('uncaught exception').finally(() => process.exit(1));
      });

      try {
        const config = load(o);
        const settings = serverSettings(config);
        let port = settings.port ?? 8080;
        if (o.port !== undefined) {
          port = Number(o.port);
          if (!/^\d{1,5}$/.test(o.port) || port > 65535) throw new Error(`--port: expected 0-65535, got ${o.port}`);
        }
        const host = o.host ?? settings.host ?? '127.0.0.1';
        const isPublic = o.public ?? settings.public ?? false;
        // Its own connection: the mirror closes its own when it stops, the server may still be answering.
        serverDb = openStore(config.dbPath);
        try {
          server = await startServer(config, serverDb, { host, port, public: isPublic, log: p.line });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
          if (code === 'EADDRINUSE') throw new Error(`cannot listen on ${where}: the port is in use (another feedmirror? choose one with --port, server.port or FEEDMIRROR_PORT)`);
          if (code === 'EACCES') throw new Error(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`);
          if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new Error(`cannot listen on ${where}: no such local address`);
          throw e;
        }
        p.line(`web reader at ${server.url}${isPublic ? ' (public)' : ''}`);
        if (!stopping) {
          mirror = await startMirror(config, { ...p, starter: o.starter });
          p.line(`feedmirror running: data ${config.dataDir}, archive ${archiveRoot(config)}`);
        }
        // A signal that came while things were starting: close what opened since.
        if (stopping) await stopping.then(closeAll);
        let failure: unknown;
        await mirror?.done.catch((e: unknown) => (failure = e));
        if (!stopping) {
          // The loop ended without being asked to: take the server down with it.
          logger.fatal({ err: failure ?? { message: 'the mirror loop ended' } }, 'the mirror stopped: shutting down');
          process.exitCode = 1;
        }
        await shutdown('the mirror stopped');
        await closeAll();
        p.line('stopped');
      } catch (e) {
        process.stderr.write(`feedmirror run: ${(e as Error).message}\n`);
        process.exitCode = 1;
        await shutdown().catch(() => undefined);
      }
      // Everything is closed; a stray handle (a keep-alive socket, a timer) must not keep the process up.
      setTimeout(() => process.exit(), 2000).unref();
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
