// Optional publishing of the archive as a git repository: after each cycle,
// commit what changed and push to a remote. A push that fails is reported and
// simply retried by the next cycle, which pushes everything not yet pushed.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface PublishOptions {
  newCount: number;
  updatedCount: number;
  /** A remote name or URL; no push without one. */
  remote?: string;
  /** The remote branch (default: the current branch). */
  branch?: string;
  /** Used only when git has no user.name/user.email configured. */
  author?: { name: string; email: string };
  /** Per git command, in ms (default 120 s). */
  timeoutMs?: number;
}

export interface PublishResult {
  /** The new commit, if anything changed. */
  commit?: string;
  /** true when a push ran and succeeded. */
  pushed: boolean;
  /** Why the push failed (the archive itself is committed). */
  pushError?: string;
}

/** Temporary files of interrupted writes are never committed. */
const NO_TEMP = ':(exclude,glob)**/.*.tmp-*';

class GitError extends Error {
  override name = 'GitError';
}

function git(root: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotepath=off', ...args],
      {
        cwd: root,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        // Never wait for a password prompt; messages in English for the report.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', LC_ALL: 'C' },
      },
      (err, stdout, stderr) => {
        if (err) {
          const msg = (String(stderr).trim() || err.message).split('\n').slice(-3).join(' | ');
          reject(new GitError(`git ${args[0]}: ${msg}`));
        } else resolve(String(stdout));
      },
    );
  });
}

/** The commit message of a cycle. */
export function commitMessage(newCount: number, updatedCount: number): string {
  return `feedmirror: ${newCount} new, ${updatedCount} updated`;
}

/**
 * Commits the archive's changes under root (a git repository, created if
 * missing) and pushes to the remote if one is given. Failures to commit throw;
 * a failed push is returned as pushError, never thrown.
 */
export async function publish(root: string, opts: PublishOptions): Promise<PublishResult> {
  const t = opts.timeoutMs ?? 120_000;
  const dir = path.resolve(root);
  if (!existsSync(path.join(dir, '.git'))) await git(dir, ['init', '-q'], t);

  const result: PublishResult = { pushed: false };
  const present = ['articles', 'lists'].filter((d) => existsSync(path.join(dir, d)));
  if (present.length) {
    // Only the archive's own directories: anything else in the repository is the user's.
    await git(dir, ['add', '-A', '--', ...present, NO_TEMP], t);
    const staged = await git(dir, ['diff', '--cached', '--name-only', '--', ...present], t);
    if (staged.trim()) {
      const ident: string[] = [];
      const a = opts.author ?? { name: 'feedmirror', email: 'feedmirror@localhost' };
      const name = await git(dir, ['config', 'user.name'], t).catch(() => '');
      const email = await git(dir, ['config', 'user.email'], t).catch(() => '');
      if (!name.trim()) ident.push('-c', `user.name=${a.name}`);
      if (!email.trim()) ident.push('-c', `user.email=${a.email}`);
      const message = commitMessage(Math.max(0, Math.trunc(opts.newCount) || 0), Math.max(0, Math.trunc(opts.updatedCount) || 0));
      await git(dir, [...ident, 'commit', '-q', '--no-verify', '-m', message, '--', ...present], t);
      result.commit = (await git(dir, ['rev-parse', 'HEAD'], t)).trim();
    }
  }

  if (opts.remote) {
    try {
      const head = await git(dir, ['rev-parse', '--verify', '-q', 'HEAD'], t).catch(() => '');
      if (head.trim()) {
        const branch = opts.branch ?? (await git(dir, ['symbolic-ref', '--short', 'HEAD'], t)).trim();
        // "--" would not separate a remote starting with "-": refuse it instead.
        if (opts.remote.startsWith('-') || branch.startsWith('-')) throw new GitError('remote and branch must not start with "-"');
        await git(dir, ['push', '-q', opts.remote, `HEAD:refs/heads/${branch}`], t);
        result.pushed = true;
      }
    } catch (e) {
      result.pushError = e instanceof Error ? e.message : String(e);
    }
  }
  return result;
}
