// A real client: Debian's newsboat (2.21) syncs through its "miniflux"
// urls-source against the server on 127.0.0.1, then reads an article in its
// UI (driven through tmux), which marks it read here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setup, type Env } from './helpers.ts';

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('newsboat (miniflux urls-source)', () => {
  let env: Env;
  let nb: string;
  const session = `fm-nb-${process.pid}`;
  // Asynchronous: the server answering newsboat runs in this process.
  const run = (args: string[]) => new Promise<{ status: number | null; out: string }>((resolve) => {
    execFile('newsboat', ['-C', join(nb, 'config'), '-c', join(nb, 'cache.db'), '-u', join(nb, 'urls'), ...args], {
      env: { ...process.env, HOME: nb, XDG_CONFIG_HOME: nb, XDG_DATA_HOME: nb }, encoding: 'utf8', timeout: 30_000,
    }, (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }));
  });
  const cache = <T>(sql: string): T[] => {
    const db = new Database(join(nb, 'cache.db'), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };

  before(async () => {
    assert.ok(has('newsboat') && has('tmux'), 'needs newsboat and tmux: apt-get install -y newsboat tmux');
    env = await setup();
    nb = env.dir;
    writeFileSync(join(nb, 'urls'), '');
    // A trailing slash, as people write it: the server answers //v1/... too.
    writeFileSync(join(nb, 'config'), [
      'urls-source "miniflux"', `miniflux-url "${env.base}/"`, `miniflux-login "${env.username}"`, `miniflux-password "${env.password}"`, '',
    ].join('\n'));
  });
  after(async () => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    await env?.close();
  });

  test('newsboat -x reload lists our feeds and items', async () => {
    const r = await run(['-x', 'reload']);
    assert.equal(r.status, 0, r.out);
    const feeds = cache<{ rssurl: string }>('SELECT rssurl FROM rss_feed ORDER BY rssurl');
    assert.deepEqual(feeds.map((f) => f.rssurl), [String(env.voa), String(env.bbc)].sort());
    const items = cache<{ guid: string; title: string; unread: number; feedurl: string }>('SELECT guid, title, unread, feedurl FROM rss_item');
    assert.equal(items.length, 10);
    assert.ok(items.every((i) => i.unread === 1));
    const voa = items.filter((i) => i.feedurl === String(env.voa)).map((i) => i.title).sort();
    assert.deepEqual(voa, Array.from({ length: 6 }, (_, i) => `美国之音 第${i + 1}条`));
    assert.equal(items.find((i) => i.title === '美国之音 第6条')!.guid, String(env.ids.get('美国之音 第6条')));
  });

  test('reading an article in newsboat marks it read in feedmirror', async () => {
    const id = env.ids.get('美国之音 第6条')!;
    const state = () => env.db.prepare('SELECT read FROM item_state WHERE item_id = ?').pluck().get(id);
    assert.equal(state(), 0);
    const cmd = `HOME='${nb}' newsboat -C '${join(nb, 'config')}' -c '${join(nb, 'cache.db')}' -u '${join(nb, 'urls')}'`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', cmd]);
    const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 100; i++) {
        if (re.test(screen())) return;
        await sleep(100);
      }
      assert.fail(`newsboat never showed ${re}:\n${screen()}`);
    };
    await waitFor(/Your feeds/);
    // The feed list is sorted as the server gave it: VOA first, its newest article on top.
    execFileSync('tmux', ['send-keys', '-t', session, 'Enter']);
    await waitFor(/Articles in feed 'VOA 中文'/);
    execFileSync('tmux', ['send-keys', '-t', session, 'Enter']);
    await waitFor(/Article '美国之音 第6条'/);
    execFileSync('tmux', ['send-keys', '-t', session, 'q']);
    await waitFor(/Articles in feed/);
    // newsboat sends PUT /v1/entries from a background thread.
    for (let i = 0; i < 50 && state() !== 1; i++) await sleep(100);
    assert.equal(state(), 1);
    const others = env.db.prepare('SELECT count(*) FROM item_state WHERE read = 1').pluck().get();
    assert.equal(others, 1, 'only the article read was marked');
    execFileSync('tmux', ['send-keys', '-t', session, 'q']);
    execFileSync('tmux', ['send-keys', '-t', session, 'q']);
  });
});
