import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Archive, commitMessage, publish } from '../../src/archive/index.ts';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const item = (n: number) => ({ time: 1_700_000_000_000 + n, title: `标题 ${n}`, url: `https://example.com/${n}`, html: `<p>${n}</p>` });

test('publish commits the cycle, pushes, reports a failed push and pushes it on the next cycle', async (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fm-git-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const root = path.join(tmp, 'archive');
  const remote = path.join(tmp, 'remote.git');
  const moved = path.join(tmp, 'moved.git');
  git(tmp, 'init', '-q', '--bare', remote);
  const a = new Archive(root);

  // Cycle 1: two new items and a list.
  const w1 = await a.write('美国之音', item(1));
  await a.write('美国之音', item(2));
  await a.writeList('美国之音');
  await fs.writeFile(path.join(root, 'notes.txt'), 'not part of the archive');
  const r1 = await publish(root, { newCount: 2, updatedCount: 0, remote, branch: 'main' });
  assert.equal(r1.pushed, true, r1.pushError);
  assert.match(r1.commit ?? '', /^[0-9a-f]{40}$/);
  assert.equal(git(remote, 'log', '--format=%s', 'main'), 'feedmirror: 2 new, 0 updated');
  assert.deepEqual(git(remote, '-c', 'core.quotepath=off', 'ls-tree', '-r', '--name-only', 'main').split('\n'), [
    'articles/美国之音/1048574_标题 2.md',
    'articles/美国之音/1048575_标题 1.md',
    'lists/美国之音.md',
  ]);

  // Nothing changed: no commit, the push is a no-op.
  const r2 = await publish(root, { newCount: 0, updatedCount: 0, remote, branch: 'main' });
  assert.equal(r2.commit, undefined);
  assert.equal(r2.pushed, true);

  // Cycle 3: the remote is gone; the commit is made, the push fails and is reported.
  await fs.rename(remote, moved);
  await a.write('美国之音', item(3));
  await a.update(w1.path, { ...item(1), title: 'revised' });
  await fs.writeFile(path.join(root, 'articles/美国之音/.x.md.tmp-1-abcdefabcdef'), 'half-written');
  const r3 = await publish(root, { newCount: 1, updatedCount: 1, remote, branch: 'main' });
  assert.match(r3.commit ?? '', /^[0-9a-f]{40}$/);
  assert.equal(r3.pushed, false);
  assert.match(r3.pushError ?? '', /^git push: .+/);
  assert.equal(git(root, 'log', '-1', '--format=%s'), 'feedmirror: 1 new, 1 updated');
  assert.ok(!git(root, 'ls-files').includes('.tmp-'), 'temporary file committed');
  assert.ok(!git(root, 'ls-files').includes('notes.txt'), 'foreign file committed');

  // Cycle 4: the remote is back; the unpushed commit goes out although nothing new was written.
  await fs.rename(moved, remote);
  const r4 = await publish(root, { newCount: 0, updatedCount: 0, remote, branch: 'main' });
  assert.equal(r4.commit, undefined);
  assert.equal(r4.pushed, true, r4.pushError);
  assert.deepEqual(git(remote, 'log', '--format=%s', 'main').split('\n'), ['feedmirror: 1 new, 1 updated', 'feedmirror: 2 new, 0 updated']);
  assert.equal(git(remote, 'rev-parse', 'main'), git(root, 'rev-parse', 'HEAD'));
});

test('publish without a remote only commits; odd remotes are reported, not run', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fm-git-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // Nothing to commit in an empty directory: a repository is created, no commit.
  const r0 = await publish(root, { newCount: 0, updatedCount: 0 });
  assert.deepEqual(r0, { pushed: false });
  await new Archive(root).write('s', item(1));
  const r1 = await publish(root, { newCount: 1, updatedCount: 0 });
  assert.equal(r1.pushed, false);
  assert.equal(r1.pushError, undefined);
  assert.equal(git(root, 'log', '--format=%s'), 'feedmirror: 1 new, 0 updated');
  const r2 = await publish(root, { newCount: 0, updatedCount: 0, remote: '--upload-pack=touch /tmp/x' });
  assert.equal(r2.pushed, false);
  assert.match(r2.pushError ?? '', /must not start with/);
  assert.equal(commitMessage(12, 3), 'feedmirror: 12 new, 3 updated');
});
