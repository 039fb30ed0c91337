import dns from 'node:dns';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { Agent, ProxyAgent, buildConnector, request, type Dispatcher } from 'undici';
import { parseRetryAfter } from './backoff.ts';
import { ACCEPT_ENCODING, formatBytes, readBody } from './decode.ts';
import { FetchFailure, describe, type ErrorContext } from './errors.ts';
import { Politeness } from './politeness.ts';
import { globalProxyFor, parseProxy, socks5Connect, type ProxySpec } from './proxy.ts';
import { AddressGuard, stripBrackets } from './ssrf.ts';
import type { FetchConfig, FetchError, FetchRequest, FetchResult, ResolvedAddress } from './types.ts';

export const DEFAULT_USER_AGENT = 'feedmirror/0.1 (+https://github.com/feedmirror/feedmirror)';

const DEFAULT_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers a caller may not set: framing and hop-by-hop are ours to manage. */
const RESERVED = new Set([
  'host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te',
  'trailer', 'proxy-connection', 'accept-encoding',
]);
/** Credentials never follow a redirect to another origin. */
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization']);

type Settings = Required<Omit<FetchConfig, 'proxy' | 'noProxy' | 'allow' | 'env' | 'ca' | 'lookup'>>;

function positive(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** One per process: holds the connection pools and the politeness queues. */
export class Fetcher {
  private readonly settings: Settings;
  private readonly guard: AddressGuard;
  private readonly polite: Politeness;
  private readonly ca: (string | Buffer)[] | undefined;
  private readonly direct: Agent;
  private readonly proxies = new Map<string, Dispatcher>();
  private readonly running = new Set<AbortController>();
  private closed = false;

  constructor(readonly config: FetchConfig = {}) {
    this.settings = {
      userAgent: config.userAgent || DEFAULT_USER_AGENT,
      maxBytes: positive(config.maxBytes, 32 * 1024 * 1024),
      connectTimeoutMs: positive(config.connectTimeoutMs, 15_000),
      headersTimeoutMs: positive(config.headersTimeoutMs, 30_000),
      idleTimeoutMs: positive(config.idleTimeoutMs, 30_000),
      deadlineMs: positive(config.deadlineMs, 60_000),
      maxRedirects: positive(config.maxRedirects, 5),
      concurrency: Math.max(1, positive(config.concurrency, 32)),
      perHostConcurrency: Math.max(1, positive(config.perHostConcurrency, 2)),
      perHostIntervalMs: positive(config.perHostIntervalMs, 1000),
    };
    this.guard = new AddressGuard(config.allow);
    this.polite = new Politeness({
      concurrency: this.settings.concurrency,
      perHostConcurrency: this.settings.perHostConcurrency,
      perHostIntervalMs: this.settings.perHostIntervalMs,
    });
    // A `ca` option replaces Node's roots; feeds on public CAs must keep working.
    if (config.ca !== undefined) this.ca = [...tls.rootCertificates, ...(Array.isArray(config.ca) ? config.ca : [config.ca])];
    // Resolution happens inside the connect call, so the address checked is the one used.
    const nodeLookup = (hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
      this.resolveAllowed(hostname).then((list) => {
        const fam = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = fam ? list.filter((a) => a.family === fam) : list;
        if (!usable.length) return callback(Object.assign(new Error(`no IPv${fam} address`), { code: 'ENODATA' }));
        if (options.all) callback(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      }, (err) => callback(err));
    };
    const base = buildConnector({ timeout: this.settings.connectTimeoutMs, ca: this.ca, lookup: nodeLookup } as buildConnector.BuildOptions);
    this.direct = new Agent({
      connect: (opts, cb) => {
        const host = stripBrackets(opts.hostname);
        if (isIP(host) ? !this.guard.addressAllowed(host) : this.guard.nameBlocked(host)) {
          const what = isIP(host) ? 'address' : 'host name';
          return cb(new FetchFailure('ssrf', `blocked: ${host} is a private ${what} (not on the allow-list)`), null);
        }
        base(opts, cb);
      },
    });
  }

  /** Requests in flight / waiting for their turn: for status pages and tests. */
  get stats(): { inFlight: number; queued: number } {
    return { inFlight: this.polite.inFlight, queued: this.polite.queued };
  }

  /** Never throws: every failure is described in `result.error`. */
  async fetch(req: FetchRequest): Promise<FetchResult> {
    const called = Date.now();
    let started: number | undefined;
    const result: FetchResult = { ok: false, notModified: false, url: String(req?.url ?? ''), redirects: [], headers: {}, elapsedMs: 0 };
    const ctl = new AbortController();
    let deadlineHit = false;
    let deadline: NodeJS.Timeout | undefined;
    const onAbort = () => ctl.abort(req.signal?.reason);
    req?.signal?.addEventListener('abort', onAbort, { once: true });
    this.running.add(ctl);
    let ctx: ErrorContext = this.context('', '');
    const finish = (error?: FetchError): FetchResult => {
      if (error) result.error = error;
      result.elapsedMs = Date.now() - (started ?? called);
      return result;
    };
    try {
      if (this.closed) return finish({ kind: 'aborted', message: 'fetcher closed' });
      if (req.signal?.aborted) return finish({ kind: 'aborted', message: 'aborted' });
      let url = parseTarget(req.url);
      const maxBytes = positive(req.maxBytes, this.settings.maxBytes);
      const headers = this.requestHeaders(req, url);
      result.url = url.href; // credentials removed: results end up in logs
      const visited = new Set([withoutHash(url)]);
      let permanent = true;
      for (let hop = 0; ; hop++) {
        const host = stripBrackets(url.hostname).toLowerCase();
        const proxy = this.proxyFor(url, req.proxy);
        ctx = this.context(host, url.port, proxy);
        const release = await this.polite.acquire(host, ctl.signal);
        try {
          if (started === undefined) {
            started = Date.now();
            deadline = setTimeout(() => { deadlineHit = true; ctl.abort(); }, this.settings.deadlineMs);
          }
          if (proxy && (proxy.kind === 'http' || proxy.remoteDns)) await this.precheck(host);
          const res = await request(url, {
            method: 'GET',
            headers,
            dispatcher: proxy ? this.proxyDispatcher(proxy) : this.direct,
            signal: ctl.signal,
            headersTimeout: this.settings.headersTimeoutMs,
            bodyTimeout: this.settings.idleTimeoutMs,
          });
          result.status = res.statusCode;
          result.url = url.href;
          result.headers = flatten(res.headers);
          const location = result.headers['location'];
          if (REDIRECTS.has(res.statusCode) && location !== undefined) {
            await discard(res.body);
            let next: URL;
            try {
              next = new URL(location, url);
            } catch {
              throw new FetchFailure('invalid-url', `invalid redirect target: ${location.slice(0, 100)} (${host})`);
            }
            if (next.protocol !== 'http:' && next.protocol !== 'https:') {
              throw new FetchFailure('invalid-url', `redirect to unsupported scheme ${next.protocol} (${host})`);
            }
            next.username = next.password = '';
            if (visited.has(withoutHash(next))) throw new FetchFailure('redirect-loop', `redirect loop: ${next.href.slice(0, 200)} (${host})`);
            if (hop + 1 > this.settings.maxRedirects) {
              throw new FetchFailure('too-many-redirects', `more than ${this.settings.maxRedirects} redirects (${host})`);
            }
            visited.add(withoutHash(next));
            permanent &&= res.statusCode === 301 || res.statusCode === 308;
            if (next.origin !== url.origin) for (const name of CREDENTIALS) delete headers[name];
            result.redirects.push(next.href);
            url = next;
            continue;
          }
          if (result.redirects.length && permanent) result.permanentRedirect = url.href;
          result.contentType = result.headers['content-type'];
          result.etag = result.headers['etag'];
          result.lastModified = result.headers['last-modified'];
          if (res.statusCode === 304) {
            await discard(res.body);
            result.ok = true;
            result.notModified = true;
            // Servers often omit validators on 304; the previous ones still hold.
            result.etag ??= req.etag;
            result.lastModified ??= req.lastModified;
            return finish();
          }
          if (res.statusCode >= 200 && res.statusCode < 300) {
            const declared = Number(result.headers['content-length']);
            if (Number.isFinite(declared) && declared > maxBytes) {
              // Destroying emits an abort error; without a listener it would be uncaught and end the process.
              res.body.on('error', () => {}).destroy();
              throw new FetchFailure('too-large', `response larger than ${formatBytes(maxBytes)} (${host})`);
            }
            result.body = await readBody(res.body, result.headers['content-encoding'], maxBytes, host);
            result.ok = true;
            return finish();
          }
          await discard(res.body);
          if (res.statusCode === 407 && proxy) {
            throw new FetchFailure('proxy', `proxy: authentication required (${proxy.host}:${proxy.port})`);
          }
          if (res.statusCode === 429 || res.statusCode === 503) result.retryAfterMs = parseRetryAfter(result.headers['retry-after']);
          return finish({ kind: 'http', message: `HTTP ${res.statusCode}${reason(res.statusCode)} (${host})` });
        } finally {
          release();
        }
      }
    } catch (err) {
      if (deadlineHit) {
        return finish({ kind: 'timeout', message: `deadline reached: gave up after ${Math.round(this.settings.deadlineMs / 100) / 10} s (${ctx.host})` });
      }
      if (req?.signal?.aborted) return finish({ kind: 'aborted', message: 'aborted' });
      if (this.closed) return finish({ kind: 'aborted', message: 'fetcher closed' });
      return finish(describe(err, ctx));
    } finally {
      clearTimeout(deadline);
      req?.signal?.removeEventListener('abort', onAbort);
      this.running.delete(ctl);
    }
  }

  /** Ends pending fetches (as aborted) and closes pooled connections. */
  async close(): Promise<void> {
    this.closed = true;
    this.polite.drain(new Error('fetcher closed'));
    for (const ctl of this.running) ctl.abort();
    const all = [this.direct, ...this.proxies.values()];
    this.proxies.clear();
    await Promise.allSettled(all.map((d) => d.destroy()));
  }

  private context(host: string, port: string, proxy?: ProxySpec): ErrorContext {
    return {
      host, port,
      connectTimeoutMs: this.settings.connectTimeoutMs,
      headersTimeoutMs: this.settings.headersTimeoutMs,
      idleTimeoutMs: this.settings.idleTimeoutMs,
      proxy: proxy && { host: proxy.host, port: proxy.port },
    };
  }

  private requestHeaders(req: FetchRequest, url: URL): Record<string, string> {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers ?? {})) {
      const name = k.toLowerCase();
      if (RESERVED.has(name) || typeof v !== 'string') continue;
      if (/[\r\n\0]/.test(v) || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
        throw new FetchFailure('other', `invalid request header: ${k.slice(0, 40)}`);
      }
      h[name] = v;
    }
    h['user-agent'] = req.userAgent || h['user-agent'] || this.settings.userAgent;
    h['accept'] = req.accept || h['accept'] || DEFAULT_ACCEPT;
    h['accept-encoding'] = ACCEPT_ENCODING;
    if (req.etag) h['if-none-match'] = req.etag;
    if (req.lastModified) h['if-modified-since'] = req.lastModified;
    if (url.username || url.password) {
      // user:pass@host feeds: send as Basic auth, never in the request line.
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      h['authorization'] ??= `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      url.username = url.password = '';
    }
    for (const v of Object.values(h)) {
      if (/[\r\n\0]/.test(v)) throw new FetchFailure('other', 'invalid request header value');
    }
    return h;
  }

  private proxyFor(url: URL, perRequest: string | null | undefined): ProxySpec | undefined {
    const raw = perRequest === null ? undefined : perRequest ?? globalProxyFor(url, this.config);
    return raw ? parseProxy(raw) : undefined;
  }

  private proxyDispatcher(proxy: ProxySpec): Dispatcher {
    const key = proxy.url.href + (proxy.remoteDns ? '' : '#local');
    let d = this.proxies.get(key);
    if (d) return d;
    const timeout = this.settings.connectTimeoutMs;
    if (proxy.kind === 'http') {
      d = new ProxyAgent({
        uri: proxy.url.href,
        // Plain-http targets are sent in absolute form: many proxies refuse CONNECT to port 80.
        proxyTunnel: false,
        requestTls: { ca: this.ca, timeout },
        proxyTls: { ca: this.ca, timeout },
      });
    } else {
      const tlsConnect = buildConnector({ timeout, ca: this.ca });
      d = new Agent({
        connect: (opts, cb) => {
          (async () => {
            const host = stripBrackets(opts.hostname);
            const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
            let target = host;
            if (isIP(host)) await this.precheck(host);
            else if (!proxy.remoteDns) target = (await this.resolveAllowed(host))[0].address;
            const socket = await socks5Connect(proxy, { host: target, port }, timeout);
            if (opts.protocol !== 'https:') return cb(null, socket);
            tlsConnect({ ...opts, httpSocket: socket }, cb);
          })().catch((err) => cb(err, null));
        },
      });
    }
    this.proxies.set(key, d);
    return d;
  }

  private async lookup(host: string): Promise<ResolvedAddress[]> {
    if (this.config.lookup) return this.config.lookup(host);
    const list = await dns.promises.lookup(host, { all: true, verbatim: true });
    return list.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  }

  /** Resolves `host`, keeping only the addresses the guard lets through. */
  private async resolveAllowed(host: string): Promise<ResolvedAddress[]> {
    if (this.guard.nameBlocked(host)) throw new FetchFailure('ssrf', `blocked: ${host} is a private host name (not on the allow-list)`);
    const list = await this.lookup(host);
    if (this.guard.nameAllowed(host)) return list;
    const ok = list.filter((a) => this.guard.addressAllowed(a.address));
    if (!ok.length) {
      if (!list.length) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
      throw new FetchFailure('ssrf', `blocked: ${host} resolves to private address ${list[0].address} (not on the allow-list)`);
    }
    return ok;
  }

  /**
   * Through a proxy we never see the address connected to, so the target name
   * is resolved here and refused if it points inside; a name we cannot resolve
   * (censored DNS, .onion) is left to the proxy.
   */
  private async precheck(host: string): Promise<void> {
    if (isIP(host)) {
      if (!this.guard.addressAllowed(host)) throw new FetchFailure('ssrf', `blocked: ${host} is a private address (not on the allow-list)`);
      return;
    }
    if (this.guard.nameBlocked(host)) throw new FetchFailure('ssrf', `blocked: ${host} is a private host name (not on the allow-list)`);
    if (this.guard.nameAllowed(host)) return;
    let list: ResolvedAddress[];
    try {
      list = await this.lookup(host);
    } catch {
      return;
    }
    const bad = list.find((a) => !this.guard.addressAllowed(a.address));
    if (bad) throw new FetchFailure('ssrf', `blocked: ${host} resolves to private address ${bad.address} (not on the allow-list)`);
  }
}

function parseTarget(raw: string): URL {
  if (typeof raw !== 'string' || !raw.trim()) throw new FetchFailure('invalid-url', 'invalid URL: empty');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new FetchFailure('invalid-url', `invalid URL: ${raw.slice(0, 100)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchFailure('invalid-url', `unsupported URL scheme ${url.protocol} (only http and https)`);
  }
  if (!url.hostname) throw new FetchFailure('invalid-url', `invalid URL: no host (${raw.slice(0, 100)})`);
  return url;
}

function withoutHash(u: URL): string {
  const c = new URL(u.href);
  c.hash = '';
  return c.href;
}

function flatten(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Drops a body we do not want, reading a little so the connection can be reused. */
async function discard(body: { dump: (opts?: { limit: number }) => Promise<void> }): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    // The connection is closed instead; nothing to report.
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 408: 'Request Timeout', 410: 'Gone', 429: 'Too Many Requests', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

function reason(status: number): string {
  return REASONS[status] ? ` ${REASONS[status]}` : '';
}
