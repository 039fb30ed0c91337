// Shared by the mirror tests: a real HTTP server on 127.0.0.1, the CLI as a real process, file trees.
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../', import.meta.url));

// The same loopback server as the schedule tests.
export { serve, type Served } from '../schedule/serve.ts';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI from source, as a separate process. */
export function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((ok) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repo, env: { ...process.env, FEEDMIRROR_DATA: '', FEEDMIRROR_CONFIG: '', ...env }, maxBuffer: 64 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      ok({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Every file under dir (relative paths with "/", sorted), skipping .git. */
export function tree(dir: string, base = ''): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(join(dir, base));
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === '.git') continue;
    const rel = base ? `${base}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...tree(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Modification times (ns) of every file under dir. */
export function mtimes(dir: string): Map<string, bigint> {
  return new Map(tree(dir).map((f) => [f, statSync(join(dir, f), { bigint: true }).mtimeNs]));
}
