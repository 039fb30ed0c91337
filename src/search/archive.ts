// Filling the index from the archive: the items table says which files exist,
// the files hold title and HTML. For a first index of an existing archive, and
// to catch up after items were added without the index.
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Database } from 'better-sqlite3';
import { readItem } from '../archive/index.ts';
import { indexItems, type IndexItem } from './search.ts';

export interface IndexArchiveOptions {
  /** Re-index every item, not only those missing from the index. */
  rebuild?: boolean;
  /** Items per transaction. */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface IndexArchiveReport {
  indexed: number;
  /** Files that could not be read or parsed, with the reason. */
  failed: { id: number; path: string; error: string }[];
}

interface Row {
  id: number;
  site: string;
  path: string;
  title: string;
  time: number | null;
  first_seen: number;
}

export async function indexArchive(db: Database, root: string, options: IndexArchiveOptions = {}): Promise<IndexArchiveReport> {
  const base = resolve(root);
  const rows = db.prepare(
    `SELECT id, site, path, title, time, first_seen FROM items WHERE missing = 0
     ${options.rebuild ? '' : 'AND id NOT IN (SELECT id FROM search_docs)'} ORDER BY id`,
  ).all() as Row[];
  const report: IndexArchiveReport = { indexed: 0, failed: [] };
  const size = options.batch ?? 200;
  for (let i = 0; i < rows.length; i += size) {
    const items: IndexItem[] = [];
    for (const row of rows.slice(i, i + size)) {
      const file = resolve(base, row.path);
      try {
        // The path comes from the database; still, never read outside the archive.
        if (!file.startsWith(base + sep)) throw new Error('path outside the archive');
        const item = readItem(await readFile(file, 'utf8'));
        items.push({ id: row.id, site: row.site, title: item.title || row.title, html: item.html, published: item.time ?? row.time ?? row.first_seen });
      } catch (err) {
        report.failed.push({ id: row.id, path: row.path, error: (err as Error).message });
      }
    }
    report.indexed += indexItems(db, items);
    options.onProgress?.(Math.min(i + size, rows.length), rows.length);
  }
  return report;
}
