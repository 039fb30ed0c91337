// What the benchmark scripts share: reading their options, running the load generator, and a
// synthetic archive to serve.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);

/** The value after `--name`, as given; `fallback` when the option is absent. */
export function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

/** A positive integer option; a bad value stops the benchmark with a message naming it. */
export function intOption(name, fallback) {
  const given = option(name, undefined);
  const v = given === undefined ? fallback : Number(given);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a positive integer`);
  return v;
}

/** Exits with a clear message when Debian's wrk is missing. */
export function requireWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (e) {
    if (e.code === 'ENOENT') {
      console.error('wrk is not installed (Debian: apt-get install -y wrk)');
      process.exit(1);
    }
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');

/**
 * A synthetic archive as the mirror would leave it (item files and index rows written directly):
 * `count` items over `sites` sites, bodies made of the reference item's paragraphs.
 * `time(n)` dates item n; `body(n, para)` gives its HTML from para(k), the k-th paragraph (cycling);
 * with `subscribe`, each site gets a subscription and its items its feed id; `finish(db)` runs
 * before the database is closed. Returns the seconds it took.
 */
export async function generateArchive({ dir, count, sites = 20, time, body, subscribe = false, finish }) {
  const { openStore, ItemStore } = await import(join(dist, 'store/index.js'));
  const { renderItem, siteDirName, itemFileName, FIRST_ID } = await import(join(dist, 'archive/index.js'));
  const { loadConfig } = await import(join(dist, 'config/index.js'));
  const { addSubscription } = await import(join(dist, 'subscribe/index.js'));
  const config = loadConfig({ dataDir: dir, env: {} });
  const db = openStore(config.dbPath);
  const store = new ItemStore(db);
  const ref = readFileSync(join(here, '..', '..', 'shared', 'examples', 'voachinese-7844678.md'), 'utf8');
  const refHtml = ref.split('\n').slice(4).join('\n').trim();
  const paras = refHtml.split(/<br \/><br \/>|<\/p><p>/).filter((p) => p.length > 20);
  const para = (k) => paras[k % paras.length];
  const t0 = Date.now();
  const siteList = [];
  for (let s = 0; s < sites; s++) {
    const site = siteDirName(`站点${s} Site ${s}`);
    siteList.push(subscribe
      ? addSubscription(db, `https://news.example/${s}/feed.xml`, { site, category: s % 4 ? `分类${s % 4}` : undefined })
      : { site, feedId: undefined });
  }
  const insert = db.transaction((rows) => {
    for (const r of rows) store.insert(r);
  });
  let batch = [];
  const made = new Set();
  for (let n = 0; n < count; n++) {
    const { site, feedId } = siteList[n % sites];
    const id = FIRST_ID - Math.floor(n / sites);
    const t = time(n);
    const title = `第${n}条：朝鲜外相崔善姬访问莫斯科 ${n % 13 ? '经济' : '外交'}报道 ${n}`;
    const html = body(n, para);
    const file = itemFileName(id, title);
    const rel = `articles/${site}/${file}`;
    const url = `https://news.example/${n % sites}/${n}.html`;
    if (!made.has(site)) {
      mkdirSync(join(dir, 'archive', 'articles', site), { recursive: true });
      made.add(site);
    }
    writeFileSync(join(dir, 'archive', rel), renderItem({ time: t, title, url, html }));
    batch.push({ site, feedId, url, link: url, guid: url, title, contentHash: `h${n}`, time: t, firstSeen: t, archiveId: id, path: rel });
    if (batch.length === 5000) {
      insert(batch);
      batch = [];
    }
  }
  insert(batch);
  finish?.(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return (Date.now() - t0) / 1000;
}

/** Runs Debian's wrk; `num(re)` reads the first group of a pattern from its output. */
export function runWrk(argv) {
  const out = execFileSync('wrk', argv, { encoding: 'utf8' });
  const num = (re) => {
    const m = re.exec(out);
    return m ? m[1] : undefined;
  };
  return {
    num,
    rps: Number(num(/Requests\/sec:\s+([\d.]+)/)),
    requests: Number(num(/(\d+) requests in/)),
    non2xx: Number(num(/Non-2xx or 3xx responses: (\d+)/) ?? 0),
    socketErrors: num(/Socket errors: (.*)/) ?? 'none',
    raw: out,
  };
}
