// api-password: makes (or replaces) the API password the sync apps log in with,
// for servers whose settings page is out of reach.
import type { Command } from 'commander';
import { Credentials } from '../../api/index.ts';
import { loadConfig } from '../../config/index.ts';
import { openStore } from '../../store/index.ts';

interface Flags {
  data?: string;
  config?: string;
  username?: string;
}

export function register(program: Command): void {
  program
    .command('api-password')
    .description('make a new password for the sync APIs (Google Reader, Fever, Miniflux); shown once, the old one stops working')
    .option('--data <dir>', 'data directory (default ./data, or FEEDMIRROR_DATA)')
    .option('--config <file>', 'config file (default <data>/feedmirror.json)')
    .option('--username <name>', 'the username apps log in with (default admin)')
    .action((o: Flags) => {
      try {
        const config = loadConfig({ dataDir: o.data, configFile: o.config });
        const db = openStore(config.dbPath);
        try {
          const { username, password } = new Credentials(db).rotate(undefined, o.username);
          process.stdout.write(`username: ${username}\npassword: ${password}\n`);
        } finally {
          db.close();
        }
      } catch (e) {
        process.stderr.write(`feedmirror api-password: ${(e as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
