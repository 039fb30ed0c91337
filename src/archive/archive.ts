// The archive directory:
//
//   articles/<site>/<id>_<title>.md   one file per item (format.ts)
//   lists/<site>.md                   the newest items of a site (list.ts)
//
// Paths given to and returned by the Archive are relative to its root, with "/".

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { ArchiveFormatError, readItem, renderItem, type ArchiveItem } from './format.ts';
import { renderList, LIST_LIMIT, type ListEntry, type ListOptions } from './list.ts';
import { FIRST_ID, itemFileName, MAX_NAME_BYTES, parseItemFileName, siteDirName } from './names.ts';

export interface NewItem extends ArchiveItem {
  /** A fixed id (e.g. derived from the source's own post id); otherwise the next free one. */
  id?: number;
}

export interface ItemFile {
  /** The site's directory name. */
  site: string;
  id: number;
  /** File name inside the site directory. */
  file: string;
  /** Path relative to the root: articles/<site>/<file>. */
  path: string;
}

/** A request the archive refuses: bad path, taken id, exhausted ids. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

interface SiteIds {
  /** The next id to try (counting down). */
  next: number;
  used: Set<number>;
}

export interface ArchiveOptions {
  /** Bound on file and directory names in UTF-8 bytes (default 200). */
  maxNameBytes?: number;
}

export class Archive {
  readonly root: string;
  readonly maxNameBytes: number;
  private ids = new Map<string, Promise<SiteIds>>();

  constructor(root: string, opts: ArchiveOptions = {}) {
    this.root = path.resolve(root);
    this.maxNameBytes = opts.maxNameBytes ?? MAX_NAME_BYTES;
  }

  /** The directory name of a site. */
  siteDir(site: string): string {
    return siteDirName(site, this.maxNameBytes);
  }

  /** Writes a new item; allocates the next id of the site unless one is given. */
  async write(site: string, item: NewItem): Promise<{ path: string; id: number }> {
    const dir = this.siteDir(site);
    if (item.time === undefined) throw new ArchiveFormatError('a new item needs a time (see pickTime)');
    const text = renderItem(item); // validates before an id is spent
    const ids = await this.siteIds(dir);
    let id: number;
    if (item.id !== undefined) {
      if (!Number.isSafeInteger(item.id) || item.id < 0) throw new ArchiveError(`item id must be a non-negative integer, got ${String(item.id)}`);
      if (ids.used.has(item.id)) throw new ArchiveError(`${dir}: id ${item.id} is taken (use update to revise an item)`);
      id = item.id;
      // As a fresh scan would: new ids continue below the lowest file.
      if (id <= ids.next) ids.next = id - 1;
    } else {
      while (ids.used.has(ids.next)) ids.next--;
      if (ids.next < 0) throw new ArchiveError(`${dir}: no ids left`);
      id = ids.next--;
    }
    // Claimed before the first await, so concurrent writes never share an id.
    ids.used.add(id);
    const rel = `articles/${dir}/${itemFileName(id, item.title, this.maxNameBytes)}`;
    try {
      await writeFileAtomic(this.abs(rel), text);
    } catch (e) {
      ids.used.delete(id);
      throw e;
    }
    return { path: rel, id };
  }

  /** Rewrites an existing item file in place (a revision); its name and id stay. */
  async update(rel: string, item: ArchiveItem): Promise<void> {
    const file = this.itemPath(rel);
    const text = renderItem(item);
    try {
      await fs.access(file);
    } catch {
      throw new ArchiveError(`${rel}: no such item`);
    }
    await writeFileAtomic(file, text);
  }

  /** Reads an item file. */
  async read(rel: string): Promise<ArchiveItem> {
    const bytes = await fs.readFile(this.itemPath(rel));
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ArchiveFormatError(`${rel}: not valid UTF-8`);
    }
    try {
      return readItem(text);
    } catch (e) {
      if (e instanceof ArchiveFormatError) throw new ArchiveFormatError(`${rel}: ${e.message}`);
      throw e;
    }
  }

  /** The item files of a site, newest (lowest id) first. */
  async list(site: string): Promise<ItemFile[]> {
    const dir = this.siteDir(site);
    return this.listDir(dir);
  }

  /** The entries of a site's list: its newest items, read from their files. */
  async listEntries(site: string, limit = LIST_LIMIT): Promise<ListEntry[]> {
    const files = (await this.list(site)).slice(0, limit);
    const out: ListEntry[] = [];
    for (const f of files) {
      try {
        const item = await this.read(f.path);
        out.push({ file: f.file, title: item.title, time: item.time });
      } catch (e) {
        if (!(e instanceof ArchiveFormatError)) throw e;
        // An unreadable file keeps its place in the list under its file name.
        out.push({ file: f.file, title: f.file.replace(/^\d+_?|\.md$/g, '') || f.file });
      }
    }
    return out;
  }

  /**
   * Writes lists/<site>.md. Without entries, lists the site's newest files.
   * Returns the list's path.
   */
  async writeList(site: string, entries?: readonly ListEntry[], opts: ListOptions = {}): Promise<string> {
    const limit = opts.limit ?? LIST_LIMIT;
    const list = entries ?? (await this.listEntries(site, limit));
    const text = renderList(site, list, { maxNameBytes: this.maxNameBytes, ...opts, limit });
    const rel = `lists/${this.siteDir(site)}.md`;
    await writeFileAtomic(this.abs(rel), text);
    return rel;
  }

  /** The site directory names under articles/, sorted. */
  async sites(): Promise<string[]> {
    let entries;
    try {
      entries = await fs.readdir(path.join(this.root, 'articles'), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return entries
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name.normalize('NFC'))
      .sort();
  }

  /** Every item file of every site, site by site, newest first within a site. */
  async *walk(): AsyncGenerator<ItemFile> {
    for (const dir of await this.sites()) yield* await this.listDir(dir);
  }

  private async listDir(dir: string): Promise<ItemFile[]> {
    let names: string[];
    try {
      names = await fs.readdir(path.join(this.root, 'articles', dir));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const files: ItemFile[] = [];
    for (const raw of names) {
      // macOS may hand back decomposed names; the path must stay the one on disk.
      const id = parseItemFileName(raw.normalize('NFC'));
      if (id !== undefined) files.push({ site: dir, id, file: raw, path: `articles/${dir}/${raw}` });
    }
    return files.sort((a, b) => a.id - b.id || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  private siteIds(dir: string): Promise<SiteIds> {
    let p = this.ids.get(dir);
    if (!p) {
      p = this.listDir(dir).then((files) => {
        const used = new Set<number>();
        let lowest = FIRST_ID + 1;
        for (const f of files) {
          used.add(f.id);
          if (f.id < lowest) lowest = f.id;
        }
        return { next: lowest - 1, used };
      });
      p.catch(() => this.ids.delete(dir));
      this.ids.set(dir, p);
    }
    return p;
  }

  private abs(rel: string): string {
    return path.join(this.root, ...rel.split('/'));
  }

  /** The absolute path of an item file given relative to the root; refuses anything outside articles/. */
  private itemPath(rel: string): string {
    if (typeof rel !== 'string' || rel.includes('\0')) throw new ArchiveError('bad item path');
    const abs = path.resolve(this.root, rel);
    const base = path.join(this.root, 'articles') + path.sep;
    if (!abs.startsWith(base) || !abs.endsWith('.md')) throw new ArchiveError(`${rel}: not an item path under articles/`);
    return abs;
  }
}
