import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('parse <file>')
    .description('parse a feed file (or - for stdin) and print it as JSON Feed 1.1')
    .option('--url <url>', 'the document URL (base for relative links)')
    .option('--content-type <type>', 'the HTTP Content-Type it was served with')
    .action(async () => {
      throw new Error('not implemented yet');
    });
}
