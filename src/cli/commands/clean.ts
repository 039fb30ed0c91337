import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { cleanHtml, STEPS, type StepName } from '../../content/index.ts';

export interface CleanFlags {
  url?: string;
  imagesTemplate?: string;
  /** commander's form of --no-sanitize. */
  sanitize?: boolean;
  steps?: string;
}

export function register(program: Command): void {
  program
    .command('clean <file>')
    .description('clean an HTML fragment (file, or - for stdin) as feed content is cleaned, and print it')
    .option('--url <url>', 'the item link (base for relative URLs)')
    .option('--images-template <template>', 'rewrite image URLs, e.g. "https://images.weserv.nl?url={url_noscheme}"')
    .option('--no-sanitize', 'stop before the sanitizer (the output is then NOT safe to display)')
    .option('--steps <list>', `comma-separated steps to run, or "none" (default: ${STEPS.join(',')})`)
    .action(async (file: string, flags: CleanFlags) => {
      process.exitCode = await runClean(file, flags);
    });
}

/** The `clean` command; returns the exit code. Errors are one line on stderr. */
export async function runClean(file: string, flags: CleanFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (flags.url !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(flags.url).protocol);
    } catch {
      // reported below
    }
    if (!ok) return fail(`--url must be an absolute http(s) URL: ${JSON.stringify(flags.url)}`);
  }
  let steps: StepName[] = [...STEPS];
  if (flags.steps !== undefined) {
    const list = flags.steps.trim() === 'none' ? [] : flags.steps.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = list.filter((s) => !(STEPS as readonly string[]).includes(s));
    if (unknown.length) return fail(`unknown step ${JSON.stringify(unknown[0])} (known: ${STEPS.join(', ')}, or none)`);
    steps = list as StepName[];
  }
  if (flags.sanitize === false) steps = steps.filter((s) => s !== 'sanitize');
  let html: string;
  try {
    html = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (e) {
    return fail(`cannot read ${file === '-' ? 'standard input' : file}: ${describe(e)}`);
  }
  let cleaned: string;
  try {
    cleaned = cleanHtml(html, {
      baseUrl: flags.url,
      images: flags.imagesTemplate !== undefined ? { mode: 'template', template: flags.imagesTemplate } : { mode: 'none' },
      steps,
      onError: (step, e) => process.stderr.write(`feedmirror clean: step ${step} skipped: ${describe(e)}\n`),
    });
  } catch (e) {
    return fail(describe(e));
  }
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') process.stderr.write(`feedmirror clean: ${describe(e)}\n`);
  });
  out.write(cleaned); // exactly as cleaned: with --steps none, byte for byte the input
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function fail(message: string): number {
  process.stderr.write(`feedmirror clean: ${message}\n`);
  return 2;
}
