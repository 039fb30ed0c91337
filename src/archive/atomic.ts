// Atomic file replacement: a reader (or a crash) sees the old file or the new
// one, never a half-written file under the final name.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Temporary files: `.<name>.tmp-<pid>-<random>` beside the target. */
export const TEMP_NAME = /^\..*\.tmp-\d+-[0-9a-f]{12}$/s;

/** A temporary name beside `file` that cleanupTemp recognizes, within file-system name limits. */
export function tempName(file: string): string {
  let base = path.basename(file);
  // Keep the temporary name within the 255-byte limit of file systems.
  while (Buffer.byteLength(base, 'utf8') > 200) base = Array.from(base).slice(0, -1).join('');
  return path.join(path.dirname(file), `.${base}.tmp-${process.pid}-${randomHex12()}`);
}

// Random bytes drawn 1.5 KB at a time: one call per file costs more than the file's name.
let randomPool = Buffer.alloc(0);
let randomAt = 0;

function randomHex12(): string {
  if (randomAt + 6 > randomPool.length) {
    randomPool = randomBytes(1536);
    randomAt = 0;
  }
  randomAt += 6;
  return randomPool.toString('hex', randomAt - 6, randomAt);
}

/** fsync a directory, so a rename in it is durable; a no-op where directories cannot be synced. */
export async function syncDir(dir: string): Promise<void> {
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch (e) {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP') throw e;
  } finally {
    await h?.close();
  }
}

/** Writes data to file atomically: temporary file, write, fsync, rename, fsync the directory. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = tempName(file);
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(tmp, 'wx', 0o644);
    await h.writeFile(data);
    await h.sync();
    await h.close();
    h = undefined;
    await fs.rename(tmp, file);
  } catch (e) {
    await h?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  await syncDir(dir);
}

/**
 * Removes temporary files left by an interrupted write anywhere under root
 * (not inside .git). Call at start-up, before writing. Returns the paths removed.
 */
export async function cleanupTemp(root: string): Promise<string[]> {
  const removed: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const d of entries) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (d.name !== '.git') await visit(p);
      } else if (d.isFile() && TEMP_NAME.test(d.name)) {
        await fs.rm(p, { force: true });
        removed.push(p);
      }
    }
  };
  await visit(root);
  return removed;
}
