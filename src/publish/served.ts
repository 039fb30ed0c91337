// Items as feedmirror serves them (reader pages, sync APIs, republished feeds):
// the archive file an index row points at, with its HTML cleaned for serving.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readItem, type ArchiveItem } from '../archive/index.ts';
import { cleanHtml, type ImageOptions } from '../content/index.ts';

/** Small LRU: Map keeps insertion order. */
export class Lru<V> {
  private map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
}

/** What locates an item's file and names its version: fields of an index row. */
export interface ServedRef {
  id: number;
  contentHash: string;
  /** Relative to the archive root, as the index has it. */
  path: string;
  /** The original article: the base URL of its relative links. */
  url: string;
}

export interface ServedOptions {
  /** The archive directory (holding articles/). */
  root: string;
  images?: ImageOptions;
  /** How many items' HTML to keep (by id and content hash); none when 0 or left out. */
  cache?: number;
}

export class Served {
  readonly root: string;
  private readonly images?: ImageOptions;
  private readonly cache?: Lru<string>;

  constructor(opts: ServedOptions) {
    this.root = path.resolve(opts.root);
    this.images = opts.images;
    if (opts.cache) this.cache = new Lru<string>(opts.cache);
  }

  /** The archive file at an index path; undefined if it is gone or unreadable. */
  file(rel: string): ArchiveItem | undefined {
    const abs = path.resolve(this.root, rel);
    // The path comes from our own index, but never let it leave the archive.
    if (!abs.startsWith(this.root + path.sep)) return undefined;
    try {
      return readItem(new TextDecoder('utf-8', { fatal: false }).decode(readFileSync(abs)));
    } catch {
      return undefined;
    }
  }

  /** Archive HTML as it leaves feedmirror: images per the image mode, sanitized. */
  clean(html: string, baseUrl: string): string {
    // The archive holds cleaned HTML; sanitizing again on the way out means a
    // hand-edited or older file cannot carry script to the reader either.
    return cleanHtml(html, { baseUrl, steps: ['images', 'sanitize'], images: this.images });
  }

  /** The served HTML of an item; undefined if its file is gone or unreadable. */
  html(item: ServedRef): string | undefined {
    const key = `${item.id}:${item.contentHash}`;
    const hit = this.cache?.get(key);
    if (hit !== undefined) return hit;
    const file = this.file(item.path);
    if (!file) return undefined;
    const html = this.clean(file.html, item.url);
    this.cache?.set(key, html);
    return html;
  }

  /** The parsed file and its served HTML, for callers that need the title or times too (not cached). */
  read(item: Pick<ServedRef, 'path' | 'url'>): { file: ArchiveItem; html: string } | undefined {
    const file = this.file(item.path);
    return file && { file, html: this.clean(file.html, item.url) };
  }
}
