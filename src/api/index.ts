// Sync APIs: Google Reader (FreshRSS dialect), Fever and Miniflux v1, so that
// feed reader apps read the mirror; plus the settings section that shows and
// rotates the API password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { timingSafeEqual } from 'node:crypto';
import type { ImageOptions } from '../content/index.ts';
import type { Fetcher } from '../fetch/index.ts';
import type { Database } from '../store/index.ts';
import { ACCOUNT, Credentials, type CredentialInfo } from './credentials.ts';
import { registerFever } from './fever.ts';
import { GreaderError, registerGreader } from './greader.ts';
import { registerMiniflux } from './miniflux.ts';
import { Sync } from './sync.ts';

export { Credentials, ACCOUNT, type ApiAccount, type CredentialInfo } from './credentials.ts';
export { Sync, type FeedView, type ItemView, type ItemQuery } from './sync.ts';
export { parseItemId, longId } from './greader.ts';

export interface SyncApiDeps {
  db: Database;
  /** The archive directory (holding articles/): config → archiveRoot(config). */
  root: string;
  /** The reader's image options, so API content has the same image URLs. */
  images?: ImageOptions;
  /** Feed discovery for Google Reader quickadd; without it the URL is subscribed as given. */
  fetcher?: Pick<Fetcher, 'fetch'>;
  /** The web session of a request (default: req.session, set by the reader's server). */
  session?: (req: FastifyRequest) => { csrf: string } | undefined;
  log?: (line: string) => void;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The settings section: connection URLs, the username, and a button that makes a new API password. */
export function renderApiSettings(opts: { info?: CredentialInfo; csrf: string; base: string; password?: string }): string {
  const base = opts.base.replace(/\/+$/, '');
  const rows: [string, string][] = [
    ['Google Reader (FreshRSS) — NetNewsWire, Reeder, Read You, FeedMe, Fluent Reader', `${base}/api/greader.php`],
    ['Fever', `${base}/fever/`],
    ['Miniflux — newsboat', base],
  ];
  return `<section class="api-settings" id="api">
<h2>同步 API · Sync APIs</h2>
<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd><code>${esc(v)}</code></dd>`).join('')}
<dt>Username</dt><dd><code>${esc(opts.info?.username ?? ACCOUNT)}</code></dd>
<dt>API password</dt><dd>${opts.password
    ? `<code class="api-password">${esc(opts.password)}</code> — shown once: copy it into your apps now.`
    : opts.info ? `set ${esc(new Date(opts.info.created).toISOString().slice(0, 10))} (not shown again)` : 'none yet: the APIs are off until you make one'}</dd>
</dl>
<form method="post" action="/settings/api/rotate">
<input type="hidden" name="_csrf" value="${esc(opts.csrf)}">
<button type="submit">${opts.info ? 'Make a new API password (the old one stops working)' : 'Make an API password'}</button>
</form>
</section>`;
}

/**
 * Mounts the APIs: /api/greader.php/*, /reader/api/0/*, /accounts/ClientLogin,
 * /fever/, /v1/*, and POST /settings/api/rotate (web session + CSRF token).
 */
export async function registerSyncApis(app: FastifyInstance, deps: SyncApiDeps): Promise<{ sync: Sync; credentials: Credentials }> {
  const sync = new Sync(deps.db, { root: deps.root, images: deps.images });
  const credentials = new Credentials(deps.db);
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await app.register(async (scope) => {
    if (!scope.hasContentTypeParser('application/x-www-form-urlencoded')) await scope.register(formbody, { bodyLimit: 1 << 20 });
    scope.setErrorHandler((err: Error & { statusCode?: number; status?: number }, req, reply) => {
      const status = err instanceof GreaderError ? err.status : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status >= 500) log(`sync api: ${req.method} ${req.url}: ${err.stack ?? err.message}`);
      const message = status >= 500 ? 'internal error' : err.message;
      if (req.url.startsWith('/v1/')) return reply.code(status).send({ error_message: message });
      if (req.url.startsWith('/fever')) return reply.code(status).send({ api_version: 3, auth: 0, error: message });
      return reply.code(status).type('text/plain; charset=utf-8').send(`Error=${message}\n`);
    });
    registerGreader(scope, sync, credentials, { fetcher: deps.fetcher });
    registerFever(scope, sync, credentials);
    registerMiniflux(scope, sync, credentials);

    const sessionOf = deps.session ?? ((req: FastifyRequest) => (req as FastifyRequest & { session?: { csrf: string } }).session);
    scope.post('/settings/api/rotate', async (req: FastifyRequest, reply: FastifyReply) => {
      const origin = req.headers.origin;
      if (origin && origin !== 'null' && origin !== `${req.protocol}://${req.host}`) return reply.code(403).send({ error: 'cross-site request refused' });
      const session = sessionOf(req);
      if (!session) return reply.code(401).send({ error: 'log in first' });
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const token = req.headers['x-csrf-token'] ?? body._csrf;
      if (typeof token !== 'string' || token.length !== session.csrf.length || !timingSafeEqual(Buffer.from(token), Buffer.from(session.csrf))) {
        return reply.code(403).send({ error: 'invalid or missing CSRF token; reload the page and try again' });
      }
      const { username, password } = credentials.rotate();
      if (/application\/json/.test(req.headers.accept ?? '')) return reply.send({ username, password });
      const section = renderApiSettings({ info: credentials.info(), csrf: session.csrf, base: `${req.protocol}://${req.host}`, password });
      return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store')
        .send(`<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>API password</title></head><body>${section}<p><a href="/">Back</a></p></body></html>`);
    });
  });
  return { sync, credentials };
}
