// New item files, written a batch at a time with the archive's atomic protocol
// (temporary file, fsync, rename, fsync the directory) but one directory fsync
// per batch instead of one per file, and the file fsyncs overlapping: per item
// that halves the synchronous disk flushes, which bound the ingest rate.
// Ids are allocated here, for every new file of the mirror, as the Archive
// would (one scan of the site's directory, then counting down in memory).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FIRST_ID, itemFileName, renderItem, syncDir, tempName, type Archive, type ArchiveItem } from '../archive/index.ts';

export class ArchiveIdError extends Error {
  override name = 'ArchiveIdError';
}

interface SiteIds {
  next: number;
  used: Set<number>;
}

export interface Written {
  path: string;
  id: number;
}

async function pool<T>(list: readonly T[], n: number, fn: (t: T, i: number) => Promise<void>): Promise<void> {
  let i = 0;
  const worker = async (): Promise<void> => {
    while (i < list.length) {
      const k = i++;
      await fn(list[k], k);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, list.length)) }, worker));
}

export class ItemWriter {
  private ids = new Map<string, Promise<SiteIds>>();

  constructor(readonly archive: Archive, private readonly concurrency = 16) {}

  private siteIds(dir: string): Promise<SiteIds> {
    let p = this.ids.get(dir);
    if (!p) {
      p = this.archive.list(dir).then((files) => {
        const used = new Set(files.map((f) => f.id));
        const lowest = files.reduce((m, f) => Math.min(m, f.id), FIRST_ID + 1);
        return { next: lowest - 1, used };
      });
      p.catch(() => this.ids.delete(dir));
      this.ids.set(dir, p);
    }
    return p;
  }

  /** Forgets what is known of a site's ids (its directory changed behind our back). */
  forget(dir: string): void {
    this.ids.delete(dir);
  }

  /**
   * Writes new item files into a site; `id` fixes an item's id (refused if taken).
   * Each entry gets its path, or the error that kept it from being written.
   */
  async write(site: string, items: readonly (ArchiveItem & { id?: number })[]): Promise<(Written | Error)[]> {
    const dir = this.archive.siteDir(site);
    const abs = path.join(this.archive.root, 'articles', dir);
    const ids = await this.siteIds(dir);
    const out: (Written | Error)[] = new Array(items.length);
    const jobs: { i: number; id: number; text: string; file: string; tmp: string }[] = [];
    items.forEach((item, i) => {
      try {
        if (item.time === undefined) throw new ArchiveIdError('a new item needs a time');
        const text = renderItem(item); // validates before an id is spent
        let id: number;
        if (item.id !== undefined) {
          if (!Number.isSafeInteger(item.id) || item.id < 0) throw new ArchiveIdError(`item id must be a non-negative integer, got ${String(item.id)}`);
          if (ids.used.has(item.id)) throw new ArchiveIdError(`${dir}: id ${item.id} is taken`);
          id = item.id;
          if (id <= ids.next) ids.next = id - 1;
        } else {
          while (ids.used.has(ids.next)) ids.next--;
          if (ids.next < 0) throw new ArchiveIdError(`${dir}: no ids left`);
          id = ids.next--;
        }
        ids.used.add(id);
        const file = itemFileName(id, item.title, this.archive.maxNameBytes);
        jobs.push({ i, id, text, file, tmp: path.basename(tempName(file)) });
      } catch (e) {
        out[i] = e as Error;
      }
    });
    if (!jobs.length) return out;
    let created = false;
    try {
      await fs.mkdir(abs);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        await fs.mkdir(abs, { recursive: true });
        created = true;
      }
    }
    const ready: typeof jobs = [];
    await pool(jobs, this.concurrency, async (j) => {
      let h: fs.FileHandle | undefined;
      const tmp = path.join(abs, j.tmp);
      try {
        h = await fs.open(tmp, 'wx', 0o644);
        await h.writeFile(j.text);
        await h.sync();
        await h.close();
        h = undefined;
        ready.push(j);
      } catch (e) {
        await h?.close().catch(() => undefined);
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        ids.used.delete(j.id);
        out[j.i] = e as Error;
      }
    });
    for (const j of ready) {
      try {
        await fs.rename(path.join(abs, j.tmp), path.join(abs, j.file));
        out[j.i] = { path: `articles/${dir}/${j.file}`, id: j.id };
      } catch (e) {
        await fs.rm(path.join(abs, j.tmp), { force: true }).catch(() => undefined);
        ids.used.delete(j.id);
        out[j.i] = e as Error;
      }
    }
    // One flush of the directory makes every rename of the batch durable.
    await syncDir(abs);
    if (created) await syncDir(path.dirname(abs));
    return out;
  }
}
