// Miniflux's REST API v1 (https://miniflux.app/docs/api.html): what newsboat's
// "miniflux" urls-source and other Miniflux clients read and write.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiAccount, Credentials } from './credentials.ts';
import { intList, type FeedView, type ItemQuery, type ItemView, type Sync } from './sync.ts';

const USER_ID = 1;
const UNCATEGORIZED = 'All';
const iso = (ms: number | undefined): string => new Date(ms ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z');

class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function registerMiniflux(app: FastifyInstance, sync: Sync, creds: Credentials): void {
  const auth = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (creds.throttled(req.ip)) return void reply.code(429).send({ error_message: 'Too many failed logins; wait 15 minutes' });
    let who: ApiAccount | undefined;
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string') who = creds.checkToken(token);
    else {
      const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
      if (m) {
        const text = Buffer.from(m[1], 'base64').toString('utf8');
        const i = text.indexOf(':');
        if (i > 0) who = creds.check(text.slice(0, i), text.slice(i + 1));
      }
    }
    if (!who) {
      creds.failed(req.ip);
      return void reply.code(401).header('WWW-Authenticate', 'Basic realm="feedmirror"').send({ error_message: 'Access Unauthorized' });
    }
  };

  const category = (name: string | undefined): { id: number; title: string; user_id: number; hide_globally: boolean } => {
    const title = name || UNCATEGORIZED;
    return { id: sync.labelId(title), title, user_id: USER_ID, hide_globally: false };
  };

  const feedJson = (f: FeedView) => ({
    id: f.id, user_id: USER_ID, feed_url: f.url, site_url: f.siteUrl ?? f.url, title: f.title,
    checked_at: iso(f.lastFetch), next_check_at: iso(f.nextCheck), etag_header: '', last_modified_header: '',
    parsing_error_message: f.lastError ?? '', parsing_error_count: f.errorCount, scraper_rules: '', rewrite_rules: '', crawler: false,
    blocklist_rules: '', keeplist_rules: '', user_agent: '', cookie: '', username: '', password: '', disabled: false, no_media_player: false,
    ignore_http_cache: false, allow_self_signed_certificates: false, fetch_via_proxy: false, hide_globally: false,
    category: category(f.category), icon: null,
  });

  const entryJson = (e: ItemView) => {
    const f = e.sub;
    const content = sync.content(e);
    return {
      id: e.id, user_id: USER_ID, feed_id: f?.id ?? 0, status: e.read ? 'read' : 'unread',
      hash: createHash('sha256').update(`${e.site}\n${e.url}`).digest('hex'), title: e.title, url: e.url, comments_url: '',
      published_at: iso(e.published), created_at: iso(e.crawled), changed_at: iso(Math.max(e.changed, e.updated ?? 0)),
      content, author: '', share_code: '', starred: e.starred,
      // Miniflux's estimate: 265 words a minute, or 500 CJK characters.
      reading_time: Math.max(1, Math.round(content.replace(/<[^>]*>/g, '').length / 500)),
      enclosures: [], tags: [],
      feed: f ? feedJson(f) : { id: 0, user_id: USER_ID, feed_url: '', site_url: '', title: e.site, category: category(undefined), icon: null },
    };
  };

  const num = (v: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string' || !/^\d{1,15}$/.test(v) || Number(v) > max) throw new ApiError(400, `Invalid ${name}`);
    return Number(v);
  };

  const entries = (req: FastifyRequest, base: ItemQuery) => {
    const q = req.query as Record<string, string | undefined>;
    const query: ItemQuery = { ...base };
    const status = q.status;
    if (status !== undefined) {
      if (status === 'unread') query.read = false;
      else if (status === 'read') query.read = true;
      else if (status !== 'removed') throw new ApiError(400, 'Invalid status');
      else query.ids = [];
    }
    if (q.starred !== undefined) query.starred = q.starred === 'true' || q.starred === '1';
    const after = num(q.after_entry_id, 'after_entry_id');
    if (after !== undefined) query.afterId = after;
    const before = num(q.before_entry_id, 'before_entry_id');
    if (before !== undefined) query.beforeId = before;
    const afterTs = num(q.after ?? q.published_after, 'after');
    if (afterTs !== undefined) query.publishedFrom = afterTs * 1000 + 1;
    const beforeTs = num(q.before ?? q.published_before, 'before');
    if (beforeTs !== undefined) query.publishedTo = beforeTs * 1000;
    const cat = num(q.category_id, 'category_id');
    if (cat !== undefined) {
      const name = sync.labelName(cat);
      if (name === undefined) throw new ApiError(404, 'Category not found');
      query.label = name === UNCATEGORIZED && !sync.feeds().some((f) => f.category === UNCATEGORIZED) ? '' : name;
    }
    const feedId = num(q.feed_id, 'feed_id');
    if (feedId !== undefined) {
      const sub = sync.feed(feedId);
      if (!sub) throw new ApiError(404, 'Feed not found');
      query.sub = sub;
    }
    const limit = num(q.limit, 'limit') ?? 100;
    const offset = num(q.offset, 'offset') ?? 0;
    const order = q.order ?? 'published_at';
    if (!['id', 'status', 'published_at', 'created_at', 'category_title', 'category_id', 'title', 'author'].includes(order)) throw new ApiError(400, 'Invalid order');
    const direction = q.direction ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc') throw new ApiError(400, 'Invalid direction');
    const items = sync.items(query, { order: order === 'published_at' ? 'published' : 'id', direction, limit: Math.min(limit, 1000), offset });
    return { total: sync.count(query), entries: items.map(entryJson) };
  };

  app.register(async (api) => {
    api.addHook('preHandler', auth);
    // curl, and so newsboat, sends its JSON bodies labelled as a form.
    api.removeContentTypeParser('application/x-www-form-urlencoded');
    api.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1 << 20 }, (_req, body, done) => {
      const text = String(body);
      try {
        done(null, text.trim().startsWith('{') ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text)));
      } catch {
        done(new ApiError(400, 'Invalid JSON body'), undefined);
      }
    });
    api.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
      const status = err instanceof ApiError ? err.status : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
      return reply.code(status).send({ error_message: status >= 500 ? 'Internal error' : err.message });
    });
    // A base URL configured with a trailing slash makes clients ask for //v1/...
    const on = (method: 'GET' | 'PUT', url: string, handler: (req: FastifyRequest, reply: FastifyReply) => unknown): void => {
      for (const u of [url, `/${url}`]) api.route({ method, url: u, handler: handler as never });
    };

    on('GET', '/v1/me', async () => ({
      id: USER_ID, username: creds.info()?.username ?? 'admin', is_admin: true, theme: 'light_serif', language: 'zh_CN', timezone: 'UTC',
      entry_sorting_direction: 'desc', stylesheet: '', google_id: '', openid_connect_id: '', entries_per_page: 100, keyboard_shortcuts: true,
      show_reading_time: true, entry_swipe: true, last_login_at: iso(Date.now()),
    }));
    on('GET', '/v1/feeds', async () => sync.feeds().map(feedJson));
    on('GET', '/v1/feeds/:id', async (req) => {
      const f = sync.feed(num((req.params as { id: string }).id, 'feed id') ?? -1);
      if (!f) throw new ApiError(404, 'Feed not found');
      return feedJson(f);
    });
    on('GET', '/v1/categories', async () => {
      const list = sync.labels().map((l) => category(l.name));
      if (sync.feeds().some((f) => !f.category) && !list.some((c) => c.title === UNCATEGORIZED)) list.unshift(category(undefined));
      return list;
    });
    on('GET', '/v1/entries', async (req) => entries(req, {}));
    on('GET', '/v1/feeds/:id/entries', async (req) => {
      const sub = sync.feed(num((req.params as { id: string }).id, 'feed id') ?? -1);
      if (!sub) throw new ApiError(404, 'Feed not found');
      return entries(req, { sub });
    });
    on('GET', '/v1/categories/:id/entries', async (req) => {
      const name = sync.labelName(num((req.params as { id: string }).id, 'category id') ?? -1);
      if (name === undefined) throw new ApiError(404, 'Category not found');
      return entries(req, { label: name === UNCATEGORIZED && !sync.feeds().some((f) => f.category === UNCATEGORIZED) ? '' : name });
    });
    on('GET', '/v1/entries/:id', async (req) => {
      const id = num((req.params as { id: string }).id, 'entry id') ?? -1;
      const [e] = sync.items({ ids: [id] }, { limit: 1 });
      if (!e) throw new ApiError(404, 'Entry not found');
      return entryJson(e);
    });
    on('PUT', '/v1/entries', async (req, reply) => {
      const body = (req.body ?? {}) as { entry_ids?: unknown; status?: unknown };
      if (!Array.isArray(body.entry_ids) || !body.entry_ids.length) throw new ApiError(400, 'The list of entry IDs is required');
      const ids = intList(body.entry_ids);
      if (ids.length !== body.entry_ids.length) throw new ApiError(400, 'Invalid entry ID');
      if (body.status !== 'read' && body.status !== 'unread') throw new ApiError(400, 'Invalid status, accepted values are: "read" and "unread"');
      sync.mark(ids, { read: body.status === 'read' });
      return reply.code(204).send();
    });
    const toggle = async (req: FastifyRequest, reply: FastifyReply) => {
      const id = num((req.params as { id: string }).id, 'entry id') ?? -1;
      const [e] = sync.items({ ids: [id] }, { limit: 1 });
      if (!e) throw new ApiError(404, 'Entry not found');
      sync.mark([id], { starred: !e.starred });
      return reply.code(204).send();
    };
    on('PUT', '/v1/entries/:id/bookmark', toggle);
    on('PUT', '/v1/entries/:id/star', toggle);
    on('PUT', '/v1/feeds/:id/mark-all-as-read', async (req, reply) => {
      const sub = sync.feed(num((req.params as { id: string }).id, 'feed id') ?? -1);
      if (!sub) throw new ApiError(404, 'Feed not found');
      sync.markRead({ sub });
      return reply.code(204).send();
    });
  });
}
