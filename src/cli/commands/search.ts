// feedmirror search: full-text search of the archive from the command line.
import type { Command } from 'commander';
import { archiveRoot } from '../../mirror/index.ts';
import { indexArchive, search, type Hit } from '../../search/index.ts';
import { storeOptions, withStore, type StoreOptions } from './subscriptions.ts';

interface SearchFlags extends StoreOptions {
  limit: string;
  offset: string;
  json?: boolean;
  update?: boolean;
  rebuild?: boolean;
}

function count(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`--${what}: expected a whole number, got "${value}"`);
  return n;
}

const entities = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** Snippet HTML to terminal text: marks in bold on a terminal, **like this** elsewhere. */
function plain(html: string, tty: boolean): string {
  const [open, close] = tty ? ['\x1b[1m', '\x1b[22m'] : ['**', '**'];
  return entities(html.replaceAll('<mark>', open).replaceAll('</mark>', close));
}

function day(ms: number | null): string {
  return ms == null ? 'no date' : new Date(ms).toISOString().slice(0, 10);
}

function print(hits: Hit[], total: number, exact: boolean, offset: number): void {
  const tty = process.stdout.isTTY === true;
  hits.forEach((h, i) => {
    process.stdout.write(`${offset + i + 1}. ${plain(h.titleHtml, tty)}\n   ${h.site} · ${day(h.published)} · #${h.id}\n   ${plain(h.snippet, tty)}\n\n`);
  });
  const shown = hits.length ? `${offset + 1}-${offset + hits.length}` : 'none';
  process.stdout.write(`${shown} of ${total}${exact ? '' : '+'} matches\n`);
}

export function register(program: Command): void {
  storeOptions(
    program
      .command('search')
      .argument('[query...]', 'words, "phrases", -excluded, site:NAME, after:YYYY-MM-DD, before:YYYY-MM-DD')
      .description('full-text search of the archive (Chinese aware: Traditional and Simplified match each other)')
      .option('-n, --limit <n>', 'results to show', '20')
      .option('--offset <n>', 'results to skip', '0')
      .option('--json', 'print the results as JSON')
      .option('--update', 'first index archived items that are not in the index yet')
      .option('--rebuild', 'first re-index every archived item'),
  ).action(async (words: string[], opts: SearchFlags) => {
    await withStore('search', opts, async (db, config) => {
      const limit = count(opts.limit, 'limit');
      const offset = count(opts.offset, 'offset');
      if (opts.update || opts.rebuild) {
        const r = await indexArchive(db, archiveRoot(config), {
          rebuild: opts.rebuild,
          onProgress: (done, all) => {
            if (process.stderr.isTTY) process.stderr.write(`\rindexing ${done}/${all}`);
          },
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        for (const f of r.failed) process.stderr.write(`not indexed: ${f.path}: ${f.error}\n`);
        process.stderr.write(`${r.indexed} items indexed${r.failed.length ? `, ${r.failed.length} failed` : ''}\n`);
      }
      const query = words.join(' ').trim();
      if (!query) {
        if (opts.update || opts.rebuild) return;
        throw new Error('nothing to search for: give a query (e.g. feedmirror search 崔善姬 site:voa)');
      }
      const result = search(db, query, { limit, offset });
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else print(result.hits, result.total, result.exact, offset);
    });
  });
}
