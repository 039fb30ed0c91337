// The web reader's HTTP server (Fastify): pages, the administrator's changes,
// health and metrics. Every change is a POST with the session's CSRF token.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { renderApiSettings, registerSyncApis } from '../api/index.ts';
import type { Config } from '../config/index.ts';
import { parseDuration } from '../config/index.ts';
import { createImageProxy, imageOptions, imageSecret, templateRewriter, type ImageOptions } from '../content/index.ts';
import { Fetcher } from '../fetch/index.ts';
import { archiveRoot, makeFetcher } from '../mirror/index.ts';
import { currentFeedKey, feedKey, feedLinks, redactKey, registerFeedRoutes, replaceFeedKey } from '../publish/index.ts';
import type { Database } from '../store/index.ts';
import {
  addSubscription, discover, exportOpml, getSubscription, importOpml, listSubscriptions, removeSubscription, updateSubscription,
  type SubscriptionSettings, type SubscriptionStatus,
} from '../subscribe/index.ts';
import {
  articlePage, assets, dayOf, dayRange, editPage, layout, listPage, loginPage, messagePage, shiftDay, subscriptionsPage, html, trusted,
  type Ctx, type EntryView, type SubView,
} from '../web/index.ts';
import { Auth, sameToken, type Session } from './auth.ts';
import { renderFeedSettings } from './feeds.ts';
import { Metrics } from './metrics.ts';
import { formatCursor, parseCursor, Reader, type Page, type Scope } from './reader.ts';
import { searchItems, SearchQueryError, type Found } from './search.ts';

export interface ServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Anyone may read; only the administrator changes anything. */
  public?: boolean;
  /** The administrator password (default: FEEDMIRROR_ADMIN_PASSWORD; else generated at first start). */
  adminPassword?: string;
  /** Told things worth a line on the console: the generated password, errors. */
  log?: (line: string) => void;
  /** Fetches for feed discovery (default: one made from the config, with its SSRF allow-list). */
  fetcher?: Pick<Fetcher, 'fetch' | 'close'>;
  /** Trust X-Forwarded-* from a reverse proxy (default false). */
  trustProxy?: boolean;
  /** Mark the session cookie Secure (default: when the request came over https). */
  secureCookies?: boolean;
  sessionTtl?: number;
  /** How article images are rewritten on the way out (default: the config's `images` mode). */
  images?: ImageOptions;
  /** The image proxy to mount, answering GET <imagePrefix>/<hmac>/<url> (default in proxy mode: one made from the config). */
  imageProxy?: (req: ImageProxyRequest) => Promise<{ status: number; headers: Record<string, string>; body: Buffer }>;
  /** Where the image proxy is mounted (default: the path of `images.proxy.prefix`, /img). */
  imagePrefix?: string;
}

export interface ImageProxyRequest {
  url: string;
  method?: string;
  headers?: Record<string, string | string[] | undefined>;
}

/** The reader settings of a config: `server` {host, port, public} if present, then FEEDMIRROR_HOST/PORT/PUBLIC. */
export function serverSettings(config: Config, env: NodeJS.ProcessEnv = process.env): Pick<ServerOptions, 'host' | 'port' | 'public'> {
  const file = (config as Config & { server?: { host?: unknown; port?: unknown; public?: unknown } }).server ?? {};
  const out: Pick<ServerOptions, 'host' | 'port' | 'public'> = {};
  if (typeof file.host === 'string') out.host = file.host;
  if (typeof file.port === 'number') out.port = file.port;
  if (typeof file.public === 'boolean') out.public = file.public;
  if (env.FEEDMIRROR_HOST) {
    if (!HOST.test(env.FEEDMIRROR_HOST)) throw new Error(`FEEDMIRROR_HOST: expected an address like 127.0.0.1, 0.0.0.0 or ::, got ${JSON.stringify(env.FEEDMIRROR_HOST.slice(0, 60))}`);
    out.host = env.FEEDMIRROR_HOST;
  }
  if (env.FEEDMIRROR_PORT) {
    if (!/^\d{1,5}$/.test(env.FEEDMIRROR_PORT)) throw new Error(`FEEDMIRROR_PORT: expected 0-65535, got ${JSON.stringify(env.FEEDMIRROR_PORT.slice(0, 20))}`);
    out.port = Number(env.FEEDMIRROR_PORT);
  }
  if (env.FEEDMIRROR_PUBLIC) {
    if (!/^(1|true|yes|on|0|false|no|off)$/i.test(env.FEEDMIRROR_PUBLIC)) throw new Error(`FEEDMIRROR_PUBLIC: expected true or false, got ${JSON.stringify(env.FEEDMIRROR_PUBLIC.slice(0, 20))}`);
    out.public = /^(1|true|yes|on)$/i.test(env.FEEDMIRROR_PUBLIC);
  }
  if (out.port !== undefined && (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535)) throw new Error(`server port: expected 0-65535, got ${out.port}`);
  return out;
}

const HOST = /^(?:[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45})$/;

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
    token?: string;
  }
}

const SESSION_COOKIE = 'fm_session';
const FRAME_HOSTS = 'https://www.youtube-nocookie.com https://player.vimeo.com https://player.bilibili.com';

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (!k || k in out) continue;
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A malformed cookie is no cookie.
    }
  }
  return out;
}

/** A same-site path to go back to, or '/'. */
export function safeBack(v: unknown, fallback = '/'): string {
  if (typeof v !== 'string' || v.length > 2000 || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\') || /[\r\n\t]/.test(v)) return fallback;
  return v;
}

/** The reader's image options from the config: archive mode points at /assets, where this server serves the copies. */
function configImages(config: Config): ImageOptions | undefined {
  if (!config.images) return config.imageTemplate ? { mode: 'template', template: config.imageTemplate } : undefined;
  const o = imageOptions(config.images, config.dataDir);
  if (o.mode === 'none') return undefined;
  return o.mode === 'archive' ? { mode: 'archive', assetsUrl: ASSETS } : o;
}

const ASSETS = '/assets';
const ASSET_TYPES: Record<string, string> = {
  jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', bmp: 'image/bmp', ico: 'image/x-icon',
};
const ASSET_FILE = /^([0-9a-f]{64})\.(jpg|png|gif|webp|avif|bmp|ico)$/;
/** What the image proxy sends: nothing in an image may run, whatever the browser makes of it. */
const IMAGE_HEADERS = { 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox" };

/** The path to mount the image proxy at: the prefix's path when it is an absolute URL (this server behind a proxy). */
function mountPath(prefix: string): string {
  let p = prefix;
  if (/^https?:\/\//i.test(prefix)) {
    try {
      p = new URL(prefix).pathname;
    } catch {
      p = '/img';
    }
  }
  p = p.replace(/\/+$/, '');
  return p.startsWith('/') && p.length > 1 ? p : '/img';
}

/**
 * img-src: ourselves, plus the template's image host, or the proxy's host when
 * it is elsewhere; any https host only when images load from their origins.
 */
export function imageSources(images: ImageOptions | undefined): string {
  const mode = (images as { mode?: string } | undefined)?.mode ?? 'none';
  if (mode === 'template') {
    const template = (images as { template: string }).template;
    try {
      templateRewriter(template);
      return `'self' data: ${new URL(template.replace(/\{[a-z_0-9]+\}/g, 'x')).origin}`;
    } catch {
      // A bad template fails elsewhere; here it adds no host.
    }
  }
  if (mode === 'proxy' || mode === 'archive') {
    const prefix = (images as { prefix?: string }).prefix;
    if (prefix && /^https?:\/\//i.test(prefix)) {
      try {
        return `'self' data: ${new URL(prefix).origin}`;
      } catch {
        // not a URL: served here
      }
    }
    return `'self' data:`;
  }
  return `'self' data: https:`;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const idParam = (v: unknown): number => {
  const s = str(v);
  if (!/^\d{1,15}$/.test(s)) throw new HttpError(404, 'no such item');
  return Number(s);
};

export async function buildServer(config: Config, db: Database, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const publicMode = opts.public ?? serverSettings(config).public ?? false;
  const auth = new Auth(db, { sessionTtl: opts.sessionTtl });
  const { generated } = await auth.ensureAdmin(opts.adminPassword ?? process.env.FEEDMIRROR_ADMIN_PASSWORD);
  if (generated) log(`web reader: administrator password (shown once, keep it): ${generated}`);
  const images = opts.images ?? configImages(config);
  const reader = new Reader(db, { root: archiveRoot(config), images });
  const metrics = new Metrics();
  let fetcher = opts.fetcher;
  let ownFetcher = false;
  const tz = config.timeZone;
  const csp = [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "style-src-attr 'unsafe-inline'", `img-src ${opts.imageProxy && images?.mode === 'custom' ? "'self' data:" : imageSources(images)}`,
    "media-src 'self' https:", `frame-src ${FRAME_HOSTS}`, "connect-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
  ].join('; ');

  const app = Fastify({ logger: false, trustProxy: opts.trustProxy ?? false, bodyLimit: 1 << 20, routerOptions: { maxParamLength: 500 }, return503OnClosing: true });
  await app.register(formbody, { bodyLimit: 1 << 20 });
  // OPML upload: the multipart body is read by the platform's FormData parser.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: 5 << 20 }, (_req, body, done) => done(null, body));
  app.decorateRequest('session', undefined);
  app.decorateRequest('token', undefined);

  app.addHook('onRequest', async (req) => {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    req.token = token;
    req.session = auth.session(token);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    // The image proxy sends its own (stricter) policy.
    if (!reply.hasHeader('Content-Security-Policy')) reply.header('Content-Security-Policy', csp);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  const canRead = (req: FastifyRequest): boolean => publicMode || !!req.session;
  const ctxOf = (req: FastifyRequest, extra: Partial<Ctx> = {}): Ctx => {
    const theme = parseCookies(req.headers.cookie).theme;
    return {
      title: 'feedmirror', tz, canEdit: !!req.session, loggedIn: !!req.session, csrf: req.session?.csrf,
      theme: theme === 'dark' || theme === 'light' ? theme : undefined, self: safeBack(req.url), sites: reader.siteCounts(), ...extra,
    };
  };
  const wantsJson = (req: FastifyRequest): boolean => /application\/json/.test(req.headers.accept ?? '');
  const sendHtml = (reply: FastifyReply, body: string, status = 200): FastifyReply => reply.code(status).type('text/html; charset=utf-8').send(body);

  /** Reading pages: a login first unless the reader is public. */
  const readable = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (canRead(req)) return;
    if (wantsJson(req)) throw new HttpError(401, 'log in first');
    return reply.redirect(`/login?next=${encodeURIComponent(safeBack(req.url))}`, 303);
  };
  /** Changes: the administrator's session, the same origin, and the session's CSRF token. */
  const changing = async (req: FastifyRequest): Promise<void> => {
    const origin = req.headers.origin;
    if (origin && origin !== 'null' && origin !== `${req.protocol}://${req.host}`) throw new HttpError(403, 'cross-site request refused');
    if (!req.session) throw new HttpError(publicMode ? 403 : 401, publicMode ? 'only the administrator can change this; log in' : 'log in first');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = req.headers['x-csrf-token'] ?? (typeof body === 'object' && !Buffer.isBuffer(body) ? body._csrf : undefined);
    if (!sameToken(token, req.session.csrf)) throw new HttpError(403, 'invalid or missing CSRF token; reload the page and try again');
  };
  /** The subscription pages hold feed URLs and request headers: administrator only. */
  const adminPage = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (req.session) return;
    return reply.redirect(`/login?next=${encodeURIComponent(safeBack(req.url))}`, 303);
  };

  app.setErrorHandler((err: Error & { statusCode?: number; status?: number }, req, reply) => {
    const status = err instanceof HttpError ? err.status : err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    const message = status >= 500 ? 'internal error' : err.message;
    // The feed key never goes to the log (it would open the feeds to whoever reads it).
    if (status >= 500) log(`web reader: ${req.method} ${redactKey(req.url)}: ${err.stack ?? err.message}`);
    if (wantsJson(req) || req.headers['x-csrf-token']) return reply.code(status).send({ error: message });
    return sendHtml(reply, messagePage(ctxOf(req, { sites: undefined, title: String(status) }), `${status}`, message), status);
  });
  app.setNotFoundHandler((req, reply) => {
    if (wantsJson(req)) return reply.code(404).send({ error: 'not found' });
    return sendHtml(reply, messagePage(ctxOf(req, { sites: undefined, title: '404' }), '404', '找不到 Not found'), 404);
  });

  // Static assets: immutable, the URL carries the hash.
  app.get('/static/:name', async (req, reply) => {
    const a = assets[str((req.params as Record<string, unknown>).name)];
    if (!a) throw new HttpError(404, 'not found');
    return reply.header('Cache-Control', 'public, max-age=31536000, immutable').type(a.type).send(a.body);
  });

  app.get('/healthz', async (_req, reply) => {
    try {
      db.prepare('SELECT 1').get();
      return reply.send({ status: 'ok', uptime: Math.round((Date.now() - metrics.started) / 1000) });
    } catch (e) {
      return reply.code(503).send({ status: 'error', error: (e as Error).message });
    }
  });

  app.get('/metrics', async (req, reply) => {
    // Counts only, yet a private reader shows them to its administrator and the local host.
    const local = req.socket.remoteAddress === '127.0.0.1' || req.socket.remoteAddress === '::1' || req.socket.remoteAddress === '::ffff:127.0.0.1';
    if (!local && !canRead(req)) throw new HttpError(401, 'log in first');
    const s = reader.stats();
    const body = metrics.render({
      feedmirror_feeds: { help: 'Subscribed feeds.', value: s.feeds },
      feedmirror_items: { help: 'Archived items.', value: s.items },
      feedmirror_items_unread: { help: 'Items not read yet.', value: s.unread },
      feedmirror_items_starred: { help: 'Starred items.', value: s.starred },
      feedmirror_feeds_failing: { help: 'Feeds whose last fetch failed.', value: s.failing },
      feedmirror_fetch_errors: { help: 'Consecutive fetch errors, summed over feeds.', value: s.feedErrors },
      feedmirror_uptime_seconds: { help: 'Seconds since the web reader started.', value: Math.round((Date.now() - metrics.started) / 1000) },
    });
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(body);
  });

  // The image proxy: public (feed readers and API clients load images without the web
  // session); the HMAC signature is what keeps it from being an open proxy.
  let proxy = opts.imageProxy;
  let imageFetcher: Fetcher | undefined;
  if (!proxy && images?.mode === 'proxy' && config.images) {
    imageFetcher = new Fetcher({
      allow: config.allow, proxy: config.proxy, userAgent: config.userAgent, perHostConcurrency: 4, perHostIntervalMs: 0, deadlineMs: config.timeout,
    });
    const p = config.images.proxy;
    proxy = createImageProxy({
      secret: imageSecret({ secret: p.secret, dataDir: config.dataDir }), fetcher: imageFetcher,
      cacheDir: p.cacheDir ?? join(config.dataDir, 'image-cache'), cacheMaxBytes: p.cacheMaxBytes, maxBytes: p.maxBytes, referers: p.referers,
    });
  }
  if (proxy) {
    const handler = proxy;
    const prefix = mountPath(opts.imagePrefix ?? config.images?.proxy.prefix ?? '/img');
    // A wildcard, so that long signed URLs are not cut by maxParamLength; the handler reads the last two segments.
    app.get(`${prefix}/*`, async (req, reply) => {
      const r = await handler({ url: req.url, method: req.method, headers: req.headers });
      return reply.code(r.status).headers(r.headers).send(r.body);
    });
  }

  // Archive mode: the downloaded copies, content addressed (assets/<2 hex>/<sha256>.<ext>).
  if (images?.mode === 'archive') {
    const dir = join(archiveRoot(config), 'assets');
    app.get(`${ASSETS}/:dir/:file`, async (req, reply) => {
      const p = req.params as Record<string, unknown>;
      const m = ASSET_FILE.exec(str(p.file));
      if (!m || str(p.dir) !== m[1].slice(0, 2)) throw new HttpError(404, 'no such image');
      const file = join(dir, m[1].slice(0, 2), str(p.file));
      let body: Buffer;
      try {
        // lstat: a symlink planted in the archive is not followed out of it.
        const st = await fs.lstat(file);
        if (!st.isFile() || st.size > (config.images?.proxy.maxBytes ?? 10 << 20) * 2) throw new Error('not a regular file');
        body = await fs.readFile(file);
      } catch {
        throw new HttpError(404, 'no such image');
      }
      const etag = `"${m[1].slice(0, 27)}"`;
      reply.headers({ ...IMAGE_HEADERS, 'cache-control': 'public, max-age=31536000, immutable', etag });
      const inm = req.headers['if-none-match'];
      if (typeof inm === 'string' && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();
      return reply.type(ASSET_TYPES[m[2]]).send(body);
    });
  }

  // Accounts.
  app.get('/login', async (req, reply) => {
    const next = safeBack(str((req.query as Record<string, unknown>).next));
    if (req.session) return reply.redirect(next, 303);
    return sendHtml(reply, loginPage(ctxOf(req, { sites: undefined, title: '登录 Log in' }), { next }));
  });
  app.post('/login', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && origin !== 'null' && origin !== `${req.protocol}://${req.host}`) throw new HttpError(403, 'cross-site request refused');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeBack(str(body.next));
    const ctx = ctxOf(req, { sites: undefined, title: '登录 Log in' });
    if (auth.throttled(req.ip)) return sendHtml(reply, loginPage(ctx, { next, error: '尝试次数过多，请稍后再试 Too many attempts; wait 15 minutes.' }), 429);
    const r = await auth.login(str(body.password), req.ip);
    if (!r) return sendHtml(reply, loginPage(ctx, { next, error: '密码错误 Wrong password.' }), 401);
    const secure = opts.secureCookies ?? req.protocol === 'https';
    reply.header('Set-Cookie', `${SESSION_COOKIE}=${r.token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(auth.sessionTtl / 1000)}${secure ? '; Secure' : ''}`);
    return reply.redirect(next, 303);
  });
  app.post('/logout', async (req, reply) => {
    await changing(req);
    auth.logout(req.token);
    reply.header('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return reply.redirect('/', 303);
  });

  // Lists.
  const q = (req: FastifyRequest): Record<string, unknown> => (req.query ?? {}) as Record<string, unknown>;
  const pageLinks = (base: string, page: Page, extra: Record<string, string> = {}): { older?: string; newer?: string } => {
    const link = (k: string, c: { when: number; id: number }): string => `${base}?${new URLSearchParams({ ...extra, [k]: formatCursor(c) })}`;
    return { older: page.older && link('before', page.older), newer: page.newer && link('after', page.newer) };
  };
  const listOf = (req: FastifyRequest, scope: Scope, limit?: number): { page: Page; unread: boolean } => {
    const query = q(req);
    const unread = str(query.unread) === '1';
    const before = parseCursor(str(query.before));
    const after = before ? undefined : parseCursor(str(query.after));
    return { page: reader.list(scope, { before, after, unread, limit }), unread };
  };
  const markAll = (ctx: Ctx, site?: string) => ctx.canEdit
    ? html`<form method="post" action="/mark-all-read"><input type="hidden" name="_csrf" value="${ctx.csrf}">${site ? html`<input type="hidden" name="site" value="${site}">` : ''}<input type="hidden" name="back" value="${ctx.self}"><button type="submit">全部标为已读 Mark all read</button></form>`
    : '';

  app.get('/', { preHandler: readable }, async (req, reply) => {
    const { page, unread } = listOf(req, { kind: 'all' });
    const ctx = ctxOf(req, { nav: unread ? 'unread' : 'all', title: unread ? '未读 Unread' : '全部 All' });
    const links = pageLinks('/', page, unread ? { unread: '1' } : {});
    return sendHtml(reply, listPage(ctx, {
      heading: ctx.title, entries: page.items, ...links,
      toolbar: html`${unread ? html`<a href="/">显示全部 Show all</a>` : html`<a href="/?unread=1">只看未读 Unread only</a>`} ${markAll(ctx)}`,
    }));
  });

  app.get('/site/:site', { preHandler: readable }, async (req, reply) => {
    const site = str((req.params as Record<string, unknown>).site);
    const { page, unread } = listOf(req, { kind: 'site', site });
    const ctx = ctxOf(req, { site, title: site });
    const base = `/site/${encodeURIComponent(site)}`;
    return sendHtml(reply, listPage(ctx, {
      heading: site, entries: page.items, ...pageLinks(base, page, unread ? { unread: '1' } : {}),
      toolbar: html`${unread ? html`<a href="${base}">显示全部 Show all</a>` : html`<a href="${base}?unread=1">只看未读 Unread only</a>`} ${markAll(ctx, site)}`,
    }), page.items.length || reader.siteCounts().some((s) => s.site === site) ? 200 : 404);
  });

  app.get('/starred', { preHandler: readable }, async (req, reply) => {
    const { page } = listOf(req, { kind: 'starred' });
    const ctx = ctxOf(req, { nav: 'starred', title: '收藏 Starred' });
    return sendHtml(reply, listPage(ctx, { heading: ctx.title, entries: page.items, ...pageLinks('/starred', page), empty: '还没有收藏 Nothing starred yet (s).' }));
  });

  app.get('/day', { preHandler: readable }, async (_req, reply) => reply.redirect(`/day/${dayOf(Date.now(), tz)}`, 303));
  app.get('/day/:date', { preHandler: readable }, async (req, reply) => {
    const day = str((req.params as Record<string, unknown>).date);
    const range = dayRange(day, tz);
    if (!range) throw new HttpError(404, 'no such day (use /day/YYYY-MM-DD)');
    const { page } = listOf(req, { kind: 'range', ...range }, 100);
    const ctx = ctxOf(req, { nav: 'day', title: `${day} 每日 Daily` });
    const today = dayOf(Date.now(), tz);
    return sendHtml(reply, listPage(ctx, {
      heading: `${day} 每日摘要 Daily digest`, entries: page.items, ...pageLinks(`/day/${day}`, page), empty: '这一天没有条目 No items on this day.',
      toolbar: html`<a href="/day/${shiftDay(day, -1)}" rel="prev-day">← ${shiftDay(day, -1)}</a>${day < today ? html` · <a href="/day/${shiftDay(day, 1)}">${shiftDay(day, 1)} →</a>` : ''}`,
    }));
  });

  app.get('/search', { preHandler: readable }, async (req, reply) => {
    const query = str(q(req).q).slice(0, 500);
    const pageNo = /^\d{1,3}$/.test(str(q(req).page)) ? Math.max(1, Number(str(q(req).page))) : 1;
    const ctx = ctxOf(req, { nav: 'search', query, title: query ? `${query} – 搜索 Search` : '搜索 Search' });
    const per = 30;
    let found: Found = { entries: [], total: 0 };
    let error: string | undefined;
    if (query.trim()) {
      try {
        found = searchItems(reader, query, per, (pageNo - 1) * per);
      } catch (e) {
        if (!(e instanceof SearchQueryError)) throw e;
        error = e.message;
      }
    }
    const link = (n: number): string => `/search?${new URLSearchParams({ q: query, page: String(n) })}`;
    return sendHtml(reply, listPage(ctx, {
      heading: query ? `搜索 Search: ${query}` : '搜索 Search', entries: found.entries,
      toolbar: query && !error ? html`${found.total} 条结果 results${found.fallback ? ' (titles only: the search index is empty)' : ''}` : undefined,
      newer: pageNo > 1 ? link(pageNo - 1) : undefined,
      older: pageNo * per < Math.min(found.total, 300) ? link(pageNo + 1) : undefined,
      empty: error ? `无法搜索 Cannot search: ${error}` : query ? '没有结果 No results.' : '输入关键词 Type a query: words, "phrases", -exclusion, site:, after:/before:',
    }), error ? 400 : 200);
  });

  // The article.
  app.get('/item/:id', { preHandler: readable }, async (req, reply) => {
    const a = reader.article(idParam((req.params as Record<string, unknown>).id));
    if (!a) throw new HttpError(404, '找不到这篇文章 No such item (or its archive file is gone)');
    const ctx = ctxOf(req, { title: a.title, site: a.site });
    return sendHtml(reply, articlePage(ctx, a));
  });

  const toggle = (field: 'read' | 'starred') => async (req: FastifyRequest, reply: FastifyReply) => {
    await changing(req);
    const id = idParam((req.params as Record<string, unknown>).id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const v = str(body.value);
    if (v !== '1' && v !== '0') throw new HttpError(400, 'value must be 1 or 0');
    const state = reader.setState(id, { [field]: v === '1' });
    if (!state) throw new HttpError(404, 'no such item');
    if (wantsJson(req)) return reply.send({ id, ...state });
    return reply.redirect(safeBack(str(body.back), `/item/${id}`), 303);
  };
  app.post('/item/:id/read', toggle('read'));
  app.post('/item/:id/star', toggle('starred'));
  app.post('/mark-all-read', async (req, reply) => {
    await changing(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const n = reader.markAllRead(str(body.site) || undefined);
    if (wantsJson(req)) return reply.send({ marked: n });
    return reply.redirect(safeBack(str(body.back)), 303);
  });

  // Subscriptions (administrator only).
  const subView = (s: SubscriptionStatus): SubView => s;
  const subsPage = (req: FastifyRequest, extra: Parameters<typeof subscriptionsPage>[2] = {}): string =>
    subscriptionsPage(ctxOf(req, { nav: 'subscriptions', title: '订阅 Subscriptions', sites: undefined }), listSubscriptions(db).map(subView), extra);

  app.get('/subscriptions', { preHandler: adminPage }, async (req, reply) => {
    const query = q(req);
    let notice: string | undefined;
    const n = (k: string): number | undefined => (/^\d{1,9}$/.test(str(query[k])) ? Number(query[k]) : undefined);
    const added = n('added');
    if (added !== undefined) {
      const s = getSubscription(db, added);
      if (s) notice = `已添加 Added: ${s.site} <${s.url}>`;
    }
    if (n('imported') !== undefined) notice = `已导入 Imported ${n('imported')} feeds; ${n('duplicates') ?? 0} already subscribed; ${n('invalid') ?? 0} invalid.`;
    if (n('removed') !== undefined) notice = '已取消订阅 Unsubscribed.';
    if (n('saved') !== undefined) notice = '已保存 Saved.';
    return sendHtml(reply, subsPage(req, { notice }));
  });

  app.post('/subscriptions/add', async (req, reply) => {
    await changing(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input = str(body.url).trim();
    const settings: SubscriptionSettings = {};
    if (str(body.site).trim()) settings.site = str(body.site).trim().slice(0, 200);
    if (str(body.category).trim()) settings.category = str(body.category).trim().slice(0, 200);
    if (!input) return sendHtml(reply, subsPage(req, { error: '请输入网址 Give a URL.' }), 400);
    let target = input;
    let candidates: { url: string; title?: string }[] = [];
    try {
      if (!fetcher) {
        fetcher = makeFetcher(config);
        ownFetcher = true;
      }
      const found = await discover(fetcher, input);
      target = found.url;
      settings.site ??= found.title?.slice(0, 200);
      candidates = found.candidates.filter((c) => c.url !== found.url);
    } catch (e) {
      return sendHtml(reply, subsPage(req, { error: `无法添加 Cannot add ${input}: ${(e as Error).message}` }), 400);
    }
    let sub: SubscriptionStatus;
    try {
      sub = addSubscription(db, target, settings);
    } catch (e) {
      return sendHtml(reply, subsPage(req, { error: (e as Error).message }), 400);
    }
    if (candidates.length) return sendHtml(reply, subsPage(req, { notice: `已添加 Added: ${sub.site} <${sub.url}>`, candidates }));
    return reply.redirect(`/subscriptions?added=${sub.id}`, 303);
  });

  app.post('/subscriptions/import', async (req, reply) => {
    const type = req.headers['content-type'] ?? '';
    let text: string | undefined;
    let token: unknown;
    if (Buffer.isBuffer(req.body) && /^multipart\/form-data/i.test(type)) {
      let form: FormData;
      try {
        form = await new Response(new Uint8Array(req.body), { headers: { 'content-type': type } }).formData();
      } catch {
        throw new HttpError(400, 'unreadable form upload');
      }
      token = form.get('_csrf');
      const file = form.get('opml');
      if (file && typeof file !== 'string') text = await file.text();
      else if (typeof file === 'string') text = file;
    } else {
      const body = (req.body ?? {}) as Record<string, unknown>;
      token = body._csrf;
      text = str(body.opml);
    }
    req.body = { _csrf: token };
    await changing(req);
    if (!text?.trim()) return sendHtml(reply, subsPage(req, { error: '请选择 OPML 文件 Choose an OPML file.' }), 400);
    try {
      const r = importOpml(db, text);
      return reply.redirect(`/subscriptions?imported=${r.added.length}&duplicates=${r.duplicates.length}&invalid=${r.invalid.length}`, 303);
    } catch (e) {
      return sendHtml(reply, subsPage(req, { error: `无法导入 Cannot import: ${(e as Error).message}` }), 400);
    }
  });

  app.get('/subscriptions/export.opml', { preHandler: adminPage }, async (_req, reply) => {
    return reply
      .type('text/x-opml; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="feedmirror.opml"')
      .send(exportOpml(db));
  });

  const subOf = (req: FastifyRequest): SubscriptionStatus => {
    const s = getSubscription(db, idParam((req.params as Record<string, unknown>).id));
    if (!s) throw new HttpError(404, 'no such subscription');
    return s;
  };
  app.get('/subscriptions/:id', { preHandler: adminPage }, async (req, reply) => {
    return sendHtml(reply, editPage(ctxOf(req, { nav: 'subscriptions', title: '编辑 Edit', sites: undefined }), subOf(req)));
  });
  app.post('/subscriptions/:id', async (req, reply) => {
    await changing(req);
    const s = subOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const changes: SubscriptionSettings & { url?: string } = {};
    try {
      if (str(body.url).trim() && str(body.url).trim() !== s.url) changes.url = str(body.url).trim();
      if (str(body.site).trim()) changes.site = str(body.site).trim().slice(0, 200);
      changes.category = str(body.category).trim().slice(0, 200) || null;
      const dur = (k: string): number | null => (str(body[k]).trim() ? parseDuration(str(body[k]).trim()) : null);
      changes.minInterval = dur('minInterval');
      changes.maxInterval = dur('maxInterval');
      if (str(body.fulltext)) changes.fulltext = str(body.fulltext);
      changes.enabled = str(body.enabled) === '1';
      updateSubscription(db, s.id, changes);
    } catch (e) {
      return sendHtml(reply, editPage(ctxOf(req, { nav: 'subscriptions', title: '编辑 Edit', sites: undefined }), s, { error: (e as Error).message }), 400);
    }
    return reply.redirect('/subscriptions?saved=1', 303);
  });
  app.post('/subscriptions/:id/remove', async (req, reply) => {
    await changing(req);
    removeSubscription(db, subOf(req).id);
    return reply.redirect('/subscriptions?removed=1', 303);
  });

  // Republished feeds and the sync APIs, with the reader's image rewriting (both sanitize again on the way out).
  const root = archiveRoot(config);
  // A private server opens its feeds to requests with the feed key (apps have no session);
  // a public one needs none, and never echoes one into its feeds.
  await registerFeedRoutes(app, { db, root, images, canRead, feedKey: publicMode ? undefined : () => currentFeedKey(db) });
  const discovery = {
    fetch: (...args: Parameters<Fetcher['fetch']>) => {
      if (!fetcher) {
        fetcher = makeFetcher(config);
        ownFetcher = true;
      }
      return fetcher.fetch(...args);
    },
  };
  const { credentials } = await registerSyncApis(app, { db, root, images, fetcher: discovery, session: (req) => req.session, log });

  // Settings: the sync API connection details and password, the republished feeds' URLs (administrator only).
  app.get('/settings', { preHandler: adminPage }, async (req, reply) => {
    const ctx = ctxOf(req, { title: '设置 Settings', sites: undefined });
    const base = `${req.protocol}://${req.host}`;
    const section = renderApiSettings({ info: credentials.info(), csrf: req.session!.csrf, base });
    const feeds = renderFeedSettings({
      links: feedLinks(db, base, publicMode ? undefined : feedKey(db)), csrf: req.session!.csrf, publicMode,
      replaced: str(q(req).feedkey) === 'new',
    });
    return sendHtml(reply, layout(ctx, html`<h1>设置 Settings</h1>${trusted(section)}${feeds}`, { sidebar: false }));
  });
  app.post('/settings/feeds/key', async (req, reply) => {
    await changing(req);
    replaceFeedKey(db);
    return reply.redirect('/settings?feedkey=new#feeds', 303);
  });

  app.addHook('onClose', async () => {
    if (ownFetcher) await fetcher?.close().catch(() => undefined);
    await imageFetcher?.close().catch(() => undefined);
  });
  return app;
}

export interface ServerHandle {
  /** The base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds the reader and listens (default 127.0.0.1:8080, or config `server` / FEEDMIRROR_HOST, FEEDMIRROR_PORT). */
export async function startServer(config: Config, db: Database, opts: ServerOptions = {}): Promise<ServerHandle> {
  const settings = serverSettings(config);
  const app = await buildServer(config, db, { ...settings, ...opts });
  const host = opts.host ?? settings.host ?? '127.0.0.1';
  const port = opts.port ?? settings.port ?? 8080;
  try {
    await app.listen({ host, port });
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  const addr = app.server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shown}:${actual}`, app, close: () => app.close() };
}
