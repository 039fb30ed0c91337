// Checks an archive directory: which item files are in the format (render(read)
// gives their bytes back), which are readable but would be rewritten, which are
// unreadable. Useful before importing an archive written by another tool.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Archive } from './archive.ts';
import { readItem, renderItem } from './format.ts';

export interface CheckReport {
  /** Item files whose bytes render back exactly. */
  exact: number;
  /** Readable files that rendering would change (older layouts), relative paths. */
  changed: string[];
  /** Unreadable files with the reason. */
  bad: { path: string; error: string }[];
}

export async function checkArchive(root: string): Promise<CheckReport> {
  const archive = new Archive(root);
  const report: CheckReport = { exact: 0, changed: [], bad: [] };
  for await (const f of archive.walk()) {
    const bytes = await fs.readFile(path.join(archive.root, 'articles', f.site, f.file));
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      if (Buffer.from(renderItem(readItem(text)), 'utf8').equals(bytes)) report.exact++;
      else report.changed.push(f.path);
    } catch (e) {
      report.bad.push({ path: f.path, error: e instanceof TypeError ? 'not valid UTF-8' : (e as Error).message });
    }
  }
  return report;
}
