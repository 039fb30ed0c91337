// New item files, written with the archive's atomic protocol (temporary file,
// fsync, rename, fsync the directory), a batch at a time: the temporary files
// of a batch are created with plain synchronous calls (tens of microseconds
// each), their fsyncs issued all at once (the file system's journal commits
// concurrent flushes together), then the renames, and one directory fsync makes
// every rename of the call durable. While one batch's fsyncs are in flight the
// next batch is rendered and written, so the CPU work hides the disk wait.
// Ids are allocated here, for every new file of the mirror, as the Archive
// would (one scan of the site's directory, then counting down in memory).
import fs from 'node:fs';
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

interface Job {
  i: number;
  id: number;
  file: string;
  tmp: string;
  fd: number;
}

/** Files created before their fsyncs are awaited: bounds the open descriptors (two batches in flight). */
export const WRITE_BATCH = 128;

const fsync = (fd: number): Promise<void> => new Promise((ok, fail) => fs.fsync(fd, (e) => (e ? fail(e) : ok())));

export class ItemWriter {
  private ids = new Map<string, Promise<SiteIds>>();

  constructor(readonly archive: Archive, private readonly batch = WRITE_BATCH) {
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`write batch must be a positive integer, got ${String(batch)}`);
  }

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
   * Throws only when the directory cannot be created or flushed: files renamed
   * by then are complete, and adopted at the next start (reconcile).
   */
  async write(site: string, items: readonly (ArchiveItem & { id?: number })[]): Promise<(Written | Error)[]> {
    const dir = this.archive.siteDir(site);
    const abs = path.join(this.archive.root, 'articles', dir);
    const ids = await this.siteIds(dir);
    const out: (Written | Error)[] = new Array(items.length);
    let made: boolean | undefined;
    const failed = (j: Job, e: unknown): void => {
      if (j.fd >= 0) {
        try {
          fs.closeSync(j.fd);
        } catch {
          // Closing is all that is left to do with it.
        }
        j.fd = -1;
      }
      try {
        fs.rmSync(path.join(abs, j.tmp), { force: true });
      } catch {
        // Left for the start-up cleanup (cleanupTemp).
      }
      ids.used.delete(j.id);
      out[j.i] = e as Error;
    };

    // Renders, allocates ids and creates the temporary files of items[from, to).
    const create = (from: number, to: number): Job[] => {
      const jobs: Job[] = [];
      for (let i = from; i < to; i++) {
        const item = items[i];
        let text: string;
        let id: number;
        try {
          if (item.time === undefined) throw new ArchiveIdError('a new item needs a time');
          text = renderItem(item); // validates before an id is spent
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
        } catch (e) {
          out[i] = e as Error;
          continue;
        }
        ids.used.add(id);
        const file = itemFileName(id, item.title, this.archive.maxNameBytes);
        const j: Job = { i, id, file, tmp: path.basename(tempName(file)), fd: -1 };
        // Before the first file: a directory that cannot be made fails the whole call.
        made ??= makeDir(abs);
        try {
          j.fd = fs.openSync(path.join(abs, j.tmp), 'wx', 0o644);
          fs.writeSync(j.fd, text);
          jobs.push(j);
        } catch (e) {
          failed(j, e);
        }
      }
      return jobs;
    };

    // Waits for a batch's fsyncs, then closes and renames what was flushed.
    const finish = async (jobs: Job[], flushed: Promise<(Error | undefined)[]>): Promise<void> => {
      const errors = await flushed;
      jobs.forEach((j, k) => {
        try {
          if (errors[k]) throw errors[k];
          const fd = j.fd;
          j.fd = -1;
          fs.closeSync(fd);
          fs.renameSync(path.join(abs, j.tmp), path.join(abs, j.file));
          out[j.i] = { path: `articles/${dir}/${j.file}`, id: j.id };
        } catch (e) {
          failed(j, e);
        }
      });
    };

    let prev: { jobs: Job[]; flushed: Promise<(Error | undefined)[]> } | undefined;
    try {
      for (let from = 0; from < items.length; from += this.batch) {
        const jobs = create(from, Math.min(items.length, from + this.batch));
        const flushed = Promise.all(jobs.map((j) => fsync(j.fd).then(() => undefined, (e: Error) => e)));
        // The previous batch's fsyncs ran while this one was rendered and written.
        if (prev) await finish(prev.jobs, prev.flushed);
        prev = { jobs, flushed };
      }
      if (prev) await finish(prev.jobs, prev.flushed);
    } finally {
      // Reached with descriptors open only if something above threw: nothing of theirs was renamed.
      if (prev) {
        await prev.flushed;
        for (const j of prev.jobs) if (j.fd >= 0) failed(j, new Error('not written'));
      }
    }
    if (made === undefined) return out;
    // One flush of the directory makes every rename of the call durable.
    await syncDir(abs);
    if (made) await syncDir(path.dirname(abs));
    return out;
  }
}

/** Creates the site directory if needed; true if it was created (its parent then needs a flush too). */
function makeDir(abs: string): boolean {
  try {
    fs.mkdirSync(abs);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT') throw e;
    fs.mkdirSync(abs, { recursive: true });
    return true;
  }
}
