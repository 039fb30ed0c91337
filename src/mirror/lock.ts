// One archiving process per data directory: two would allocate the same ids
// and could overwrite each other's files. A lock file holds the owner's pid; a
// lock left by a process that died (a crash, a kill) is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class LockedError extends Error {
  override name = 'LockedError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory's mirror lock; returns its release. Throws LockedError if a live process holds it. */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, 'mirror.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // Gone already: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue; // released meanwhile
    }
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new LockedError(`another feedmirror process (pid ${pid}) is archiving into ${dir}; stop it first (or remove ${file} if that process is not feedmirror)`);
    }
    if (pid === process.pid) throw new LockedError(`${dir} is already being archived by this process`);
    try {
      unlinkSync(file); // left by a process that is gone
    } catch {
      // Someone else took it over first: try again.
    }
  }
  throw new LockedError(`cannot take the lock ${file}`);
}
