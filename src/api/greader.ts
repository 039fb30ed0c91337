// The Google Reader API as FreshRSS and Miniflux serve it
// (https://freshrss.github.io/FreshRSS/en/developers/06_GoogleReader_API.html),
// at /api/greader.php/... and /reader/api/0/... alike.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addSubscription, discover, removeSubscription, updateSubscription } from '../subscribe/index.ts';
import type { Fetcher } from '../fetch/index.ts';
import { Credentials, type ApiAccount } from './credentials.ts';
import { MAX_IDS, type FeedView, type ItemQuery, type ItemView, type Sync } from './sync.ts';

const READ = 'user/-/state/com.google/read';
const STARRED = 'user/-/state/com.google/starred';
const READING_LIST = 'user/-/state/com.google/reading-list';
const KEPT_UNREAD = 'user/-/state/com.google/kept-unread';
const LABEL = /^user\/[^/]*\/label\/(.+)$/;
const STATE = /^user\/[^/]*\/state\/com\.google\/(.+)$/;
const LONG = /^tag:google\.com,2005:reader\/item\/([0-9a-fA-F]{1,16})$/;

class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** An item id in any of the three forms clients send: long tag, short decimal, 16-digit hex. */
export function parseItemId(s: string): number | undefined {
  const t = s.trim();
  const long = LONG.exec(t);
  let n: number;
  if (long) n = parseInt(long[1], 16);
  // Decimal ids have no leading zero; a zero-padded 16-digit id is hex.
  else if (/^[0-9a-fA-F]{16}$/.test(t) && (t.startsWith('0') || /[a-fA-F]/.test(t))) n = parseInt(t, 16);
  else if (/^-?\d{1,19}$/.test(t)) n = Number(t);
  else return undefined;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export const longId = (id: number): string => `tag:google.com,2005:reader/item/${id.toString(16).padStart(16, '0')}`;

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const one = (v: unknown): string | undefined => list(v)[0];

export interface GreaderDeps {
  fetcher?: Pick<Fetcher, 'fetch'>;
}

export function registerGreader(app: FastifyInstance, sync: Sync, creds: Credentials, deps: GreaderDeps = {}): void {
  const streamOf = (f: FeedView): string => `feed/${f.id}`;

  /** feed/<id>, feed/<url>: the subscription. */
  const feedOf = (stream: string): FeedView | undefined => {
    const rest = stream.slice('feed/'.length);
    if (/^\d{1,15}$/.test(rest)) return sync.feed(Number(rest));
    return sync.feedByUrl(rest);
  };

  /** A stream id as a query; undefined when unknown. */
  const scope = (stream: string): ItemQuery | undefined => {
    if (stream === READING_LIST || stream === '') return {};
    if (stream.startsWith('feed/')) {
      const sub = feedOf(stream);
      return sub ? { sub } : undefined;
    }
    const label = LABEL.exec(stream);
    if (label) return { label: label[1] };
    const state = STATE.exec(stream);
    if (state) {
      if (state[1] === 'starred') return { starred: true };
      if (state[1] === 'read') return { read: true };
      if (state[1] === 'kept-unread') return { read: false };
      if (state[1] === 'reading-list') return {};
    }
    return undefined;
  };

  const categoriesOf = (f: FeedView | undefined): string[] => (f?.category ? [`user/-/label/${f.category}`] : []);

  const itemJson = (e: ItemView) => {
    const cats = [READING_LIST, ...categoriesOf(e.sub)];
    if (e.read) cats.push(READ);
    else cats.push(KEPT_UNREAD);
    if (e.starred) cats.push(STARRED);
    return {
      id: longId(e.id), crawlTimeMsec: String(e.crawled), timestampUsec: `${e.crawled}000`,
      published: Math.floor(e.published / 1000), updated: Math.floor((e.updated ?? e.published) / 1000), title: e.title,
      canonical: [{ href: e.url }], alternate: [{ href: e.url, type: 'text/html' }], categories: cats,
      origin: { streamId: e.sub ? streamOf(e.sub) : `feed/0`, title: e.sub?.title ?? e.site, htmlUrl: e.sub?.siteUrl ?? '' },
      summary: { direction: 'ltr', content: sync.content(e) }, author: '',
    };
  };

  /** The query and page of stream/contents and stream/items/ids. */
  const streamQuery = (q: Record<string, unknown>, stream: string): { query: ItemQuery; asc: boolean; n: number } => {
    const base = scope(stream);
    if (!base) throw new ApiError(404, `unknown stream ${stream}`);
    const query: ItemQuery = { ...base };
    for (const xt of list(q.xt)) {
      if (xt === READ) query.read = false;
      else if (xt === STARRED) query.starred = false;
    }
    for (const it of list(q.it)) {
      if (it === READ) query.read = true;
      else if (it === STARRED) query.starred = true;
    }
    const sec = (v: unknown, name: string): number | undefined => {
      const s = one(v);
      if (s === undefined || s === '') return undefined;
      if (!/^\d{1,12}$/.test(s)) throw new ApiError(400, `${name}: expected seconds`);
      return Number(s) * 1000;
    };
    const ot = sec(q.ot, 'ot');
    if (ot !== undefined) query.crawledFrom = ot;
    const nt = sec(q.nt, 'nt');
    if (nt !== undefined) query.crawledTo = nt;
    const asc = one(q.r) === 'o';
    const c = one(q.c);
    if (c) {
      if (!/^\d{1,15}$/.test(c)) throw new ApiError(400, 'c: invalid continuation');
      if (asc) query.afterId = Number(c);
      else query.beforeId = Number(c);
    }
    const nRaw = one(q.n);
    if (nRaw !== undefined && !/^\d{1,6}$/.test(nRaw)) throw new ApiError(400, 'n: expected a number');
    return { query, asc, n: Math.max(1, Math.min(Number(nRaw ?? 20), MAX_IDS)) };
  };

  const who = (req: FastifyRequest): ApiAccount | undefined => {
    const m = /^GoogleLogin\s+auth=(\S+)$/i.exec(req.headers.authorization ?? '');
    return m ? creds.checkSession(m[1]) : undefined;
  };

  const prefixes = ['/api/greader.php', ''];
  const route = (method: 'GET' | 'POST' | ['GET', 'POST'], path: string, handler: (req: FastifyRequest, reply: FastifyReply) => unknown, open = false): void => {
    for (const p of prefixes) {
      app.route({
        method, url: p + path,
        preHandler: open ? undefined : async (req, reply) => {
          const token = /^GoogleLogin\s+auth=(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
          if (!token || !who(req)) return void reply.code(401).type('text/plain; charset=utf-8').send('Unauthorized');
          // Changes carry the edit token when the client got one; a stale one is refused as Google did.
          if (req.method === 'POST') {
            const t = one(((req.body ?? {}) as Record<string, unknown>).T) ?? one((req.query as Record<string, unknown>).T);
            if (t !== undefined && t !== Credentials.editToken(token)) {
              return void reply.code(401).header('X-Reader-Google-Bad-Token', 'true').type('text/plain; charset=utf-8').send('Unauthorized');
            }
          }
        },
        handler: handler as never,
      });
    }
  };
  const params = (req: FastifyRequest): Record<string, unknown> => ({ ...(req.query as object), ...((req.body && typeof req.body === 'object' ? req.body : {}) as object) });
  /** A new subscription's id; the mirror fetches it on its next round. */
  const subscribe = (url: string, category?: string): number => {
    try {
      return addSubscription(sync.db, url, { category }).id;
    } catch (e) {
      throw new ApiError(400, (e as Error).message);
    } finally {
      sync.forget();
    }
  };
  const ok = (reply: FastifyReply) => reply.type('text/plain; charset=utf-8').send('OK');

  route(['GET', 'POST'], '/accounts/ClientLogin', async (req, reply) => {
    const p = params(req);
    if (creds.throttled(req.ip)) return reply.code(429).type('text/plain').send('Error=TooManyAttempts\n');
    const account = creds.check(one(p.Email), one(p.Passwd));
    if (!account) {
      creds.failed(req.ip);
      return reply.code(401).type('text/plain; charset=utf-8').send('Error=BadAuthentication\n');
    }
    const token = creds.issueToken(account.account);
    return reply.type('text/plain; charset=utf-8').send(`SID=${token}\nLSID=null\nAuth=${token}\n`);
  }, true);
  // FreshRSS answers the login probe of some clients here.
  route('GET', '/check/compatibility', async (_req, reply) => reply.type('text/plain').send('PASS'), true);

  route('GET', '/reader/api/0/token', async (req, reply) => {
    const token = /^GoogleLogin\s+auth=(\S+)$/i.exec(req.headers.authorization ?? '')![1];
    return reply.type('text/plain; charset=utf-8').send(`${Credentials.editToken(token)}\n`);
  });
  route('GET', '/reader/api/0/user-info', async (req) => {
    const a = who(req)!;
    return { userId: '1', userName: a.username, userProfileId: '1', userEmail: '', isBloggerUser: false, signupTimeSec: 0, isMultiLoginEnabled: false };
  });
  route('GET', '/reader/api/0/subscription/list', async () => ({
    subscriptions: sync.feeds().map((f) => ({
      id: streamOf(f), title: f.title, categories: f.category ? [{ id: `user/-/label/${f.category}`, label: f.category }] : [],
      url: f.url, htmlUrl: f.siteUrl ?? '', iconUrl: '', firstitemmsec: '0',
    })),
  }));
  route('GET', '/reader/api/0/tag/list', async () => ({
    tags: [{ id: STARRED }, ...sync.labels().map((l) => ({ id: `user/-/label/${l.name}`, type: 'folder' }))],
  }));
  route('GET', '/reader/api/0/unread-count', async () => {
    const rows = sync.unreadCounts();
    const perFeed = new Map<number, { count: number; newest: number }>();
    const perLabel = new Map<string, { count: number; newest: number }>();
    let total = 0;
    let newest = 0;
    const add = <K>(m: Map<K, { count: number; newest: number }>, k: K, n: number, t: number) => {
      const v = m.get(k) ?? { count: 0, newest: 0 };
      v.count += n;
      v.newest = Math.max(v.newest, t);
      m.set(k, v);
    };
    for (const r of rows) {
      total += r.count;
      newest = Math.max(newest, r.newest);
      if (r.sub) add(perFeed, r.sub.id, r.count, r.newest);
      if (r.sub?.category) add(perLabel, r.sub.category, r.count, r.newest);
    }
    return {
      max: total,
      unreadcounts: [
        ...[...perFeed].map(([id, v]) => ({ id: `feed/${id}`, count: v.count, newestItemTimestampUsec: `${v.newest}000` })),
        ...[...perLabel].map(([l, v]) => ({ id: `user/-/label/${l}`, count: v.count, newestItemTimestampUsec: `${v.newest}000` })),
        { id: READING_LIST, count: total, newestItemTimestampUsec: `${newest}000` },
      ],
    };
  });

  const contents = (req: FastifyRequest, stream: string) => {
    const { query, asc, n } = streamQuery(params(req), stream);
    const limit = Math.min(n, 1000);
    const items = sync.items(query, { order: 'id', direction: asc ? 'asc' : 'desc', limit: limit + 1 });
    const more = items.length > limit;
    if (more) items.pop();
    const out: Record<string, unknown> = {
      direction: 'ltr', id: stream, title: stream, updated: Math.floor(Date.now() / 1000), items: items.map(itemJson),
    };
    if (more) out.continuation = String(items[items.length - 1].id);
    return out;
  };
  route(['GET', 'POST'], '/reader/api/0/stream/contents', async (req) => contents(req, one(params(req).s) ?? READING_LIST));
  route(['GET', 'POST'], '/reader/api/0/stream/contents/*', async (req) => {
    const raw = (req.params as { '*': string })['*'];
    return contents(req, raw.includes('%') ? decodeURIComponent(raw) : raw);
  });
  route(['GET', 'POST'], '/reader/api/0/stream/items/ids', async (req) => {
    const p = params(req);
    const { query, asc, n } = streamQuery(p, one(p.s) ?? READING_LIST);
    const rows = sync.ids(query, n + 1, asc ? 'asc' : 'desc');
    const more = rows.length > n;
    if (more) rows.pop();
    const out: Record<string, unknown> = {
      itemRefs: rows.map((r) => ({ id: String(r.id), directStreamIds: r.sub ? [streamOf(r.sub)] : [], timestampUsec: `${r.crawled}000` })),
    };
    if (more) out.continuation = String(rows[rows.length - 1].id);
    return out;
  });
  route(['GET', 'POST'], '/reader/api/0/stream/items/contents', async (req) => {
    const ids = list(params(req).i).slice(0, 1000).map(parseItemId);
    if (ids.some((i) => i === undefined)) throw new ApiError(400, 'i: invalid item id');
    const items = sync.items({ ids: ids as number[] }, { order: 'id', direction: 'desc', limit: ids.length });
    const byId = new Map(items.map((e) => [e.id, e]));
    return {
      direction: 'ltr', id: READING_LIST, title: 'Reading list', updated: Math.floor(Date.now() / 1000),
      items: (ids as number[]).flatMap((id) => (byId.has(id) ? [itemJson(byId.get(id)!)] : [])),
    };
  });
  route('POST', '/reader/api/0/edit-tag', async (req, reply) => {
    const p = params(req);
    const ids = list(p.i).map(parseItemId);
    if (!ids.length || ids.some((i) => i === undefined)) throw new ApiError(400, 'i: invalid item id');
    if (ids.length > MAX_IDS) throw new ApiError(400, `at most ${MAX_IDS} items at once`);
    const state: { read?: boolean; starred?: boolean } = {};
    for (const a of list(p.a)) {
      if (a === READ) state.read = true;
      else if (a === STARRED) state.starred = true;
      else if (a === KEPT_UNREAD) state.read = false;
    }
    for (const r of list(p.r)) {
      if (r === READ) state.read = false;
      else if (r === STARRED) state.starred = false;
    }
    if (state.read !== undefined || state.starred !== undefined) sync.mark(ids as number[], state);
    return ok(reply);
  });
  route('POST', '/reader/api/0/mark-all-as-read', async (req, reply) => {
    const p = params(req);
    const stream = one(p.s) ?? READING_LIST;
    const base = scope(stream);
    if (!base) throw new ApiError(404, `unknown stream ${stream}`);
    const ts = one(p.ts);
    if (ts !== undefined && !/^\d{1,19}$/.test(ts)) throw new ApiError(400, 'ts: expected microseconds');
    // ts is in microseconds: items crawled after it stay unread (they were not on the client's screen).
    sync.markRead({ ...base, ...(ts ? { crawledTo: Math.floor(Number(ts) / 1000) + 1 } : {}) });
    return ok(reply);
  });
  route('POST', '/reader/api/0/subscription/edit', async (req, reply) => {
    const p = params(req);
    const ac = one(p.ac);
    const streams = list(p.s);
    if (!streams.length) throw new ApiError(400, 's: missing');
    const add = one(p.a);
    const remove = one(p.r);
    const addLabel = add ? LABEL.exec(add)?.[1] : undefined;
    const title = one(p.t);
    for (const s of streams) {
      if (!s.startsWith('feed/')) throw new ApiError(400, `s: not a feed: ${s}`);
      if (ac === 'subscribe') {
        const url = s.slice(5);
        if (!/^https?:\/\//i.test(url)) throw new ApiError(400, 'subscribe: feed/<http(s) URL> expected');
        const existing = feedOf(s);
        const sub = existing ?? sync.feed(subscribe(url, addLabel));
        if (sub && title) sync.setTitle(sub.id, title);
        continue;
      }
      const sub = feedOf(s);
      if (!sub) throw new ApiError(404, `no subscription ${s}`);
      if (ac === 'unsubscribe') removeSubscription(sync.db, sub.id);
      else if (ac === 'edit') {
        if (title !== undefined) sync.setTitle(sub.id, title);
        if (addLabel !== undefined) updateSubscription(sync.db, sub.id, { category: addLabel });
        else if (remove && LABEL.exec(remove)?.[1] === sub.category) updateSubscription(sync.db, sub.id, { category: null });
      } else throw new ApiError(400, 'ac: subscribe, unsubscribe or edit');
      sync.forget();
    }
    return ok(reply);
  });
  route('POST', '/reader/api/0/subscription/quickadd', async (req) => {
    const input = one(params(req).quickadd)?.replace(/^feed\//, '');
    if (!input || !/^https?:\/\//i.test(input) || input.length > 2000) throw new ApiError(400, 'quickadd: an http(s) URL expected');
    let url = input;
    if (deps.fetcher) {
      try {
        url = (await discover(deps.fetcher, input)).url;
      } catch (e) {
        return { query: input, numResults: 0, error: (e as Error).message };
      }
    }
    let sub = sync.feedByUrl(url);
    if (!sub) {
      sub = sync.feed(subscribe(url));
    }
    return { query: input, numResults: 1, streamId: `feed/${sub!.id}`, streamName: sub!.title };
  });
  route(['GET', 'POST'], '/reader/api/0/rename-tag', async (_req, reply) => ok(reply));
  route(['GET', 'POST'], '/reader/api/0/disable-tag', async (req, reply) => {
    const label = LABEL.exec(one(params(req).s) ?? '')?.[1];
    if (label) for (const f of sync.feeds().filter((x) => x.category === label)) updateSubscription(sync.db, f.id, { category: null });
    sync.forget();
    return ok(reply);
  });
}

export { ApiError as GreaderError };
