// The Fever API (https://feedafever.com/api, as FreshRSS and Miniflux serve it):
// POST /fever/?api with api_key = md5(username:password); the query string
// names what to return, the body what to change.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Credentials } from './credentials.ts';
import { intList, type ItemQuery, type ItemView, type Sync } from './sync.ts';

const PAGE = 50;
// A 1x1 transparent GIF: Fever clients want a favicon per feed.
const FAVICON = 'image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

export function registerFever(app: FastifyInstance, sync: Sync, creds: Credentials): void {
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);
    const has = (k: string): boolean => k in q || k in body;
    const get = (k: string): string | undefined => str(body[k]) ?? str(q[k]);
    const out: Record<string, unknown> = { api_version: 3, auth: 0 };
    if (creds.throttled(req.ip)) return reply.code(429).send(out);
    if (!creds.checkFever(get('api_key'))) {
      if (get('api_key') !== undefined) creds.failed(req.ip);
      return reply.send(out);
    }
    out.auth = 1;
    out.last_refreshed_on_time = Math.floor(sync.newestCrawl() / 1000);
    const feeds = sync.feeds();
    const labels = sync.labels();
    const feedsGroups = () => labels.map((l) => ({ group_id: l.id, feed_ids: feeds.filter((f) => f.category === l.name).map((f) => f.id).join(',') }));

    // Changes first, so the id lists that follow show them.
    const mark = get('mark');
    if (mark) {
      const as = get('as');
      const id = get('id');
      if (!id || !/^-?\d{1,15}$/.test(id)) return reply.code(400).send({ ...out, error: 'id: expected a number' });
      const before = get('before');
      if (before !== undefined && !/^\d{1,12}$/.test(before)) return reply.code(400).send({ ...out, error: 'before: expected seconds' });
      // Whole seconds: an item crawled within the second "before" names was on the client's screen.
      const scope: ItemQuery = before ? { crawledTo: (Number(before) + 1) * 1000 } : {};
      if (mark === 'item') {
        const change = as === 'read' ? { read: true } : as === 'unread' ? { read: false } : as === 'saved' ? { starred: true } : as === 'unsaved' ? { starred: false } : undefined;
        if (!change) return reply.code(400).send({ ...out, error: 'as: read, unread, saved or unsaved' });
        sync.mark([Number(id)], change);
      } else if (mark === 'feed' || mark === 'group') {
        if (as !== 'read') return reply.code(400).send({ ...out, error: 'as: read' });
        const n = Number(id);
        if (mark === 'feed') {
          const sub = sync.feed(n);
          if (sub) sync.markRead({ ...scope, sub });
        } else if (n === 0 || n === -1) {
          // 0 is every item ("Kindling"); -1 the Sparks, which we have none of.
          if (n === 0) sync.markRead(scope);
        } else {
          const name = sync.labelName(n);
          if (name !== undefined) sync.markRead({ ...scope, label: name });
        }
      } else return reply.code(400).send({ ...out, error: 'mark: item, feed or group' });
      if (mark === 'item' && (as === 'saved' || as === 'unsaved')) out.saved_item_ids = sync.starredIds().join(',');
      else out.unread_item_ids = sync.unreadIds().join(',');
    }

    if (has('groups')) {
      out.groups = labels.map((l) => ({ id: l.id, title: l.name }));
      out.feeds_groups = feedsGroups();
    }
    if (has('feeds')) {
      out.feeds = feeds.map((f) => ({
        id: f.id, favicon_id: 1, title: f.title, url: f.url, site_url: f.siteUrl ?? '', is_spark: 0,
        last_updated_on_time: Math.floor((f.lastSuccess ?? 0) / 1000),
      }));
      out.feeds_groups = feedsGroups();
    }
    if (has('favicons')) out.favicons = [{ id: 1, data: FAVICON }];
    if (has('items')) {
      const item = (e: ItemView) => ({
        id: e.id, feed_id: e.sub?.id ?? 0, title: e.title, author: '', html: sync.content(e), url: e.url,
        is_saved: e.starred ? 1 : 0, is_read: e.read ? 1 : 0, created_on_time: Math.floor(e.published / 1000),
      });
      const since = get('since_id');
      const max = get('max_id');
      const withIds = get('with_ids');
      const num = (v: string): number | undefined => (/^\d{1,15}$/.test(v) ? Number(v) : undefined);
      let items: ItemView[];
      if (withIds !== undefined) {
        items = sync.items({ ids: intList(withIds, PAGE) }, { order: 'id', direction: 'asc', limit: PAGE });
      } else if (max !== undefined && num(max) !== undefined) {
        const m = num(max)!;
        items = sync.items(m > 0 ? { beforeId: m } : {}, { order: 'id', direction: 'desc', limit: PAGE });
      } else {
        items = sync.items({ afterId: since !== undefined ? num(since) ?? 0 : 0 }, { order: 'id', direction: 'asc', limit: PAGE });
      }
      out.items = items.map(item);
      out.total_items = sync.total();
    }
    if (has('links')) out.links = [];
    if (has('unread_item_ids')) out.unread_item_ids = sync.unreadIds().join(',');
    if (has('saved_item_ids')) out.saved_item_ids = sync.starredIds().join(',');
    return reply.send(out);
  };
  for (const url of ['/fever', '/fever/', '/fever/index.php', '/api/fever.php']) app.route({ method: ['GET', 'POST'], url, handler: handle });
}
