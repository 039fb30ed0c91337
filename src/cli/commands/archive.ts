import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ArchiveFormatError, checkArchive, readItem, renderItem } from '../../archive/index.ts';

/** Reads an archive item file and writes its re-rendered bytes to stdout. */
async function render(file: string): Promise<void> {
  const bytes = file === '-' ? await readStdin() : await readFile(file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ArchiveFormatError('not valid UTF-8');
  }
  process.stdout.write(renderItem(readItem(text)));
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function register(program: Command): void {
  const archive = program.command('archive').description('the Markdown archive (articles/<site>/<id>_<title>.md, lists/<site>.md)');
  archive
    .command('render <file>')
    .description('read an archive item file (or - for stdin) and print it re-rendered; a file in the format comes out byte for byte')
    .action(async (file: string) => {
      try {
        await render(file);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err instanceof ArchiveFormatError ? err.message : String(err?.message ?? e);
        process.stderr.write(`feedmirror archive render: ${file}: ${why}\n`);
        process.exitCode = 1;
      }
    });
  archive
    .command('check <root>')
    .description('check every item file under <root>/articles: in the format, readable but in an older layout, or unreadable')
    .action(async (root: string) => {
      try {
        const r = await checkArchive(root);
        for (const p of r.changed) process.stdout.write(`older layout: ${p}\n`);
        for (const b of r.bad) process.stdout.write(`unreadable: ${b.path}: ${b.error}\n`);
        process.stdout.write(`${r.exact} in the format, ${r.changed.length} older layout, ${r.bad.length} unreadable\n`);
        if (r.bad.length) process.exitCode = 1;
      } catch (e) {
        process.stderr.write(`feedmirror archive check: ${root}: ${String((e as Error)?.message ?? e)}\n`);
        process.exitCode = 1;
      }
    });
}
