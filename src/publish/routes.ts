// The republished feeds as Fastify routes:
//   /feeds/all.{rss,atom,json}
//   /feeds/{site,category,search}/<name>.{rss,atom,json}
// with ETag / Last-Modified and 304s. Mounted by the web server:
//   await registerFeedRoutes(app, { db, root, images, canRead, feedKey })
// A private server also answers requests that carry the feed key (?key=<key>),
// for feed reader apps without a session; their self links keep the key.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ImageOptions } from '../content/index.ts';
import type { Database } from '../store/index.ts';
import { clampLimit, etagOf, FeedError, feedOf, lastModifiedOf, selectRows, type Selection } from './feeds.ts';
import { CONTENT_TYPES, render, splitFile } from './formats.ts';
import { isFeedKey, KEY_PARAM, withKey } from './key.ts';

export interface FeedRouteDeps {
  db: Database;
  /** The archive directory. */
  root: string;
  /** The image mode of the reader (feeds leave feedmirror the same way). */
  images?: ImageOptions;
  /** Newest N items per feed (default 50). */
  limit?: number;
  /** Public URL of the mirror (e.g. "https://mirror.example/"); default: from the request's Host. */
  baseUrl?: string;
  /** Feed title prefix. */
  title?: string;
  /** Who may read the feeds (the reader's login rule); default everyone. */
  canRead?: (req: FastifyRequest) => boolean;
  /**
   * The current feed key (undefined when none was made): a request with
   * ?key=<it> may read without canRead. Leave out where no key is wanted
   * (a public server), so that no key is ever echoed into its feeds.
   */
  feedKey?: () => string | undefined;
}

const BODY_CACHE = 32;
const KINDS = new Set(['site', 'category', 'search']);

function selection(kind: string | undefined, name: string): Selection {
  if (kind === undefined) {
    if (name !== 'all') throw new FeedError(404, 'no such feed');
    return { kind: 'all' };
  }
  if (!KINDS.has(kind) || name === '' || name.length > 200 || /[\u0000-\u001f\u007f]/.test(name)) throw new FeedError(404, 'no such feed');
  return kind === 'site' ? { kind: 'site', site: name } : kind === 'category' ? { kind: 'category', category: name } : { kind: 'search', name };
}

/** Whether the request's validators match (If-None-Match wins over If-Modified-Since, RFC 9110 13.2.2). */
export function notModified(headers: FastifyRequest['headers'], etag: string, lastModified: number): boolean {
  const inm = headers['if-none-match'];
  if (typeof inm === 'string') {
    return inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
  }
  const ims = headers['if-modified-since'];
  if (typeof ims === 'string' && lastModified > 0) {
    const t = Date.parse(ims);
    return Number.isFinite(t) && lastModified <= t;
  }
  return false;
}

/** Registers the feed routes on a Fastify app (plugin style; call before app.listen/ready). */
export async function registerFeedRoutes(app: FastifyInstance, deps: FeedRouteDeps): Promise<void> {
  const limit = clampLimit(deps.limit);
  // Rendered bodies by ETag: feed readers poll the same few feeds, and the tag
  // changes whenever what the body holds changes (rows, format, own URL).
  // The tag covers the self URL, key included; the self URL is checked again on
  // the way out, so a body that names the key only goes to requests that gave it.
  const bodies = new Map<string, { self: string; body: string }>();
  const remember = (etag: string, self: string, body: string): void => {
    bodies.set(etag, { self, body });
    if (bodies.size > BODY_CACHE) bodies.delete(bodies.keys().next().value as string);
  };
  /** The key the request gave, when it is the current one. */
  const givenKey = (req: FastifyRequest): string | undefined => {
    if (!deps.feedKey) return undefined;
    const given = (req.query as Record<string, unknown> | undefined)?.[KEY_PARAM];
    if (given === undefined) return undefined;
    const key = deps.feedKey();
    return isFeedKey(given, key) ? key : undefined;
  };
  const handle = (kind: string | undefined, file: string, req: FastifyRequest, reply: FastifyReply): string | FastifyReply => {
    const key = givenKey(req);
    if (!key && deps.canRead && !deps.canRead(req)) return reply.code(401).type('text/plain; charset=utf-8').send('log in to read the feeds');
    const parts = splitFile(file);
    if (!parts) return reply.code(404).type('text/plain; charset=utf-8').send('no such feed');
    const [name, format] = parts;
    try {
      const sel = selection(kind, name);
      const pathPart = kind === undefined ? `feeds/${file}` : `feeds/${kind}/${encodeURIComponent(name)}.${format}`;
      const base = deps.baseUrl ?? `${req.protocol}://${req.host}/`;
      let self: string;
      let home: string;
      try {
        self = new URL(pathPart, base).href;
        if (key) self = withKey(self, key);
        home = new URL('./', base).href;
      } catch {
        throw new FeedError(400, 'bad Host header');
      }
      const rows = selectRows(deps.db, sel, limit);
      const etag = etagOf(rows, format, self);
      const lastModified = lastModifiedOf(rows);
      // A private server's feeds (keyed or not) are nobody else's: no shared cache keeps them.
      reply.header('ETag', etag).header('Cache-Control', deps.feedKey ? 'private, no-cache' : 'no-cache');
      if (lastModified > 0) reply.header('Last-Modified', new Date(lastModified).toUTCString());
      if (notModified(req.headers, etag, lastModified)) return reply.code(304).send();
      reply.type(CONTENT_TYPES[format]);
      const cached = bodies.get(etag);
      if (cached !== undefined && cached.self === self) return cached.body;
      const body = render(feedOf(sel, rows, { root: deps.root, images: deps.images, self, home, title: deps.title }), format);
      remember(etag, self, body);
      return body;
    } catch (err) {
      if (err instanceof FeedError) return reply.code(err.status).type('text/plain; charset=utf-8').send(err.message);
      if ((err as Error).name === 'SearchQueryError') return reply.code(400).type('text/plain; charset=utf-8').send((err as Error).message);
      throw err;
    }
  };
  app.get('/feeds/:file', async (req, reply) => handle(undefined, (req.params as { file: string }).file, req, reply));
  app.get('/feeds/:kind/:file', async (req, reply) => {
    const p = req.params as { kind: string; file: string };
    return handle(p.kind, p.file, req, reply);
  });
}
