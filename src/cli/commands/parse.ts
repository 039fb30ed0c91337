import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseFeed } from '../../parse/index.ts';
import { toJsonFeed } from '../../publish/index.ts';

interface ParseFlags {
  url?: string;
  contentType?: string;
}

export function register(program: Command): void {
  program
    .command('parse <file>')
    .description('parse a feed file (or - for stdin) and print it as JSON Feed 1.1')
    .option('--url <url>', 'the document URL (base for relative links)')
    .option('--content-type <type>', 'the HTTP Content-Type it was served with')
    .action(async (file: string, flags: ParseFlags) => {
      process.exitCode = await runParse(file, flags);
    });
}

/** The `parse` command; returns the exit code. Errors are one line on stderr, never a stack. */
export async function runParse(file: string, flags: ParseFlags): Promise<number> {
  if (flags.url !== undefined && !URL.canParse(flags.url)) {
    return fail(`--url must be an absolute URL: ${JSON.stringify(flags.url)}`);
  }
  let bytes: Uint8Array;
  try {
    // Bytes, never a string: the parser decides the encoding.
    bytes = file === '-' ? await readStdin() : await readFile(file);
  } catch (e) {
    return fail(`cannot read ${file === '-' ? 'standard input' : file}: ${describe(e)}`);
  }
  let json: string;
  try {
    const feed = parseFeed(bytes, { url: flags.url, contentType: flags.contentType });
    json = JSON.stringify(toJsonFeed(feed), null, 2);
  } catch (e) {
    return fail(`cannot parse ${file === '-' ? 'standard input' : file}: ${describe(e)}`);
  }
  // A reader that goes away early (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') process.stderr.write(`feedmirror parse: ${describe(e)}\n`);
  });
  process.stdout.write(json + '\n');
  return 0;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function describe(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && e.code === 'ENOENT') return 'no such file';
  if (e && typeof e === 'object' && 'code' in e && e.code === 'EISDIR') return 'is a directory';
  if (e && typeof e === 'object' && 'code' in e && e.code === 'EACCES') return 'permission denied';
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}

function fail(message: string): number {
  process.stderr.write(`feedmirror parse: ${message}\n`);
  return 1;
}
