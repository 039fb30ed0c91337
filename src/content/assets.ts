// Archive image mode: an item's images downloaded into the archive, content
// addressed (`assets/<2 hex>/<sha256>.<ext>`), and referenced relatively from the
// item file, so an archive is complete offline. Same limits and checks as the proxy.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Fetcher } from '../fetch/index.ts';
import { Doc } from './html.ts';
import { imageUrls, rewriteImages, type ImageRewriter } from './images.ts';
import { fetchImage } from './proxy.ts';
import { writeFileAtomic } from '../archive/index.ts';

export interface LocalizeOptions {
  /** The archive's root directory. */
  archiveRoot: string;
  /** The item file's directory relative to the root, e.g. `articles/<site>`. */
  itemDir: string;
  fetcher: Fetcher;
  /** Cap on one image (default 10 MiB). */
  maxBytes?: number;
  /** Host suffix → Referer ('' = none), over the built-in rules. */
  referers?: Readonly<Record<string, string>>;
  /** Downloads at once (default 4). */
  concurrency?: number;
  /** Images per item at most (default 100); the rest keep their URLs and are reported. */
  maxImages?: number;
  /** URL → asset path (relative to the root) already saved: a URL seen before is not fetched again. Filled in. */
  known?: Map<string, string>;
}

export interface SavedAsset {
  url: string;
  /** Relative to the archive root: `assets/ab/ab12….jpg`. */
  path: string;
  /** False when this call wrote the file; true when the same bytes were already there. */
  reused: boolean;
}

export interface LocalizeResult {
  html: string;
  saved: SavedAsset[];
  /** Images that keep their original URL, and why. */
  failed: { url: string; error: string }[];
}

/** `assets/<2 hex>/<sha256>.<ext>` for these bytes. */
export function assetPath(body: Uint8Array, ext: string): string {
  const hash = createHash('sha256').update(body).digest('hex');
  return `assets/${hash.slice(0, 2)}/${hash}.${ext}`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Writes `data` to `file` unless it exists, atomically (the archive's own write). True when written. */
async function writeOnce(file: string, data: Uint8Array): Promise<boolean> {
  if (await exists(file)) return false;
  await writeFileAtomic(file, data);
  return true;
}

async function pool<T>(list: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  const worker = async (): Promise<void> => {
    while (i < list.length) await fn(list[i++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, list.length)) }, worker));
}

/**
 * Downloads the images of an item's (cleaned) HTML into the archive and points
 * `img src/srcset`, `picture source srcset` and `video poster` at the copies.
 * An image that fails keeps its original URL and is listed in `failed`. Never throws
 * for one image; throws only when the archive itself cannot be written.
 */
export async function localizeImages(html: string, opts: LocalizeOptions): Promise<LocalizeResult> {
  const root = path.resolve(opts.archiveRoot);
  const itemDir = opts.itemDir.split(path.sep).join('/').replace(/^\/+|\/+$/g, '');
  if (itemDir.split('/').includes('..')) throw new Error(`localizeImages: itemDir must stay inside the archive: ${opts.itemDir}`);
  const known = opts.known ?? new Map<string, string>();
  const result: LocalizeResult = { html, saved: [], failed: [] };
  const local = new Map<string, string>();
  const all = imageUrls(html).filter((u) => /^(https?:)?\/\//i.test(u));
  const max = opts.maxImages ?? 100;
  for (const url of all.slice(max)) result.failed.push({ url, error: `more than ${max} images in one item` });

  await pool(all.slice(0, max), opts.concurrency ?? 4, async (original) => {
    const url = original.startsWith('//') ? `https:${original}` : original;
    const seen = known.get(url);
    if (seen && (await exists(path.join(root, seen)))) {
      local.set(original, seen);
      result.saved.push({ url: original, path: seen, reused: true });
      return;
    }
    const r = await fetchImage(opts.fetcher, url, { maxBytes: opts.maxBytes, referers: opts.referers });
    if (!r.ok) {
      result.failed.push({ url: original, error: r.message });
      return;
    }
    const rel = assetPath(r.body, r.ext);
    const wrote = await writeOnce(path.join(root, rel), r.body);
    known.set(url, rel);
    local.set(original, rel);
    result.saved.push({ url: original, path: rel, reused: !wrote });
  });

  if (local.size) {
    const rewriter: ImageRewriter = {
      rewrite: (u) => {
        const rel = local.get(u);
        return rel ? path.posix.relative(itemDir, rel) : u;
      },
    };
    const doc = new Doc(html);
    rewriteImages(doc, rewriter);
    result.html = doc.toString();
  }
  // Document order, whatever order the downloads finished in.
  const order = new Map(all.map((u, i) => [u, i]));
  result.saved.sort((a, b) => order.get(a.url)! - order.get(b.url)!);
  result.failed.sort((a, b) => (order.get(a.url) ?? 0) - (order.get(b.url) ?? 0));
  return result;
}
