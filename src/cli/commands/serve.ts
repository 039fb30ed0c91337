// serve: the web reader alone, on the archive another process (or cron) keeps current.
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { serverSettings, startServer } from '../../server/index.ts';
import { openStore } from '../../store/index.ts';

interface Flags {
  data?: string;
  config?: string;
  host?: string;
  port?: string;
  public?: boolean;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the web reader (default http://127.0.0.1:8080) without running the mirror; `feedmirror run` serves it beside the mirror')
    .option('--data <dir>', 'data directory (default ./data, or FEEDMIRROR_DATA)')
    .option('--config <file>', 'config file (default <data>/feedmirror.json)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1, or FEEDMIRROR_HOST)')
    .option('--port <port>', 'port (default 8080, or FEEDMIRROR_PORT)')
    .option('--public', 'public read-only mode: anyone reads, only the administrator changes')
    .action(async (o: Flags) => {
      const line = (text: string): void => {
        process.stdout.write(`${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} ${text}\n`);
      };
      try {
        const config = loadConfig({ dataDir: o.data, configFile: o.config });
        const settings = serverSettings(config);
        let port = settings.port;
        if (o.port !== undefined) {
          port = Number(o.port);
          if (!/^\d{1,5}$/.test(o.port) || port > 65535) throw new Error(`--port: expected 0-65535, got ${o.port}`);
        }
        const db = openStore(config.dbPath);
        const server = await startServer(config, db, { host: o.host ?? settings.host, port, public: o.public ?? settings.public, log: line });
        line(`web reader at ${server.url}${o.public ?? settings.public ? ' (public)' : ''}`);
        const stop = (): void => {
          void server.close().finally(() => {
            db.close();
            process.exit(0);
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (e) {
        process.stderr.write(`feedmirror serve: ${(e as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
