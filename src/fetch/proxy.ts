// Which proxy a URL goes through (config, per request, or the usual env
// variables), and a SOCKS5 client for undici's connect hook.
import net, { isIP } from 'node:net';
import { FetchFailure } from './errors.ts';
import { stripBrackets } from './ssrf.ts';

export interface ProxySpec {
  url: URL;
  kind: 'http' | 'socks5';
  /** socks5h: the proxy resolves names (needed when local DNS is censored). */
  remoteDns: boolean;
  host: string;
  port: number;
}

export function parseProxy(raw: string): ProxySpec {
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new FetchFailure('proxy', `invalid proxy URL: ${raw.slice(0, 100)}`);
  }
  const scheme = url.protocol.slice(0, -1);
  const host = stripBrackets(url.hostname);
  if (!host) throw new FetchFailure('proxy', `invalid proxy URL: ${raw.slice(0, 100)}`);
  switch (scheme) {
    case 'http':
    case 'https':
      return { url, kind: 'http', remoteDns: true, host, port: Number(url.port) || (scheme === 'https' ? 443 : 80) };
    case 'socks5':
    case 'socks5h':
    case 'socks':
      return { url, kind: 'socks5', remoteDns: scheme !== 'socks5', host, port: Number(url.port) || 1080 };
  }
  throw new FetchFailure('proxy', `unsupported proxy scheme: ${scheme} (use http, https, socks5 or socks5h)`);
}

function envVar(env: Record<string, string | undefined>, name: string): string | undefined {
  // Lower case first, as curl does.
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v && v.trim() ? v.trim() : undefined;
}

/** The global proxy for `target`, from config or environment, NO_PROXY applied. */
export function globalProxyFor(
  target: URL,
  config: { proxy?: string; noProxy?: string; env?: Record<string, string | undefined> },
): string | undefined {
  const env = config.env ?? process.env;
  let proxy: string | undefined;
  if (config.proxy !== undefined) proxy = config.proxy || undefined;
  else {
    proxy = target.protocol === 'https:' ? envVar(env, 'https_proxy') : envVar(env, 'http_proxy');
    proxy ??= envVar(env, 'all_proxy');
  }
  if (!proxy) return undefined;
  const noProxy = config.noProxy ?? envVar(env, 'no_proxy') ?? '';
  return bypass(target, noProxy) ? undefined : proxy;
}

/** NO_PROXY: comma/space separated host names (suffix match), .domain, host:port, IPs, CIDRs, or `*`. */
export function bypass(target: URL, noProxy: string): boolean {
  const host = stripBrackets(target.hostname).toLowerCase().replace(/\.$/, '');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (let entry of noProxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (v6) {
      entry = v6[1];
      entryPort = v6[2];
    } else if (/^[^:]+:\d+$/.test(entry)) {
      [entry, entryPort] = entry.split(':');
    }
    if (entryPort && entryPort !== port) continue;
    if (entry.includes('/') && isIP(host)) {
      const [base, bits] = entry.split('/');
      const family = isIP(base);
      if (family && family === isIP(host)) {
        const list = new net.BlockList();
        try {
          list.addSubnet(base, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
          if (list.check(host, family === 4 ? 'ipv4' : 'ipv6')) return true;
        } catch { /* malformed entry: ignore */ }
      }
      continue;
    }
    const name = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** Reads exactly what is asked from a socket during a handshake. */
class HandshakeReader {
  private buf = Buffer.alloc(0);
  private want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly onData = (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.flush(); };
  private readonly onEnd = () => this.fail(new FetchFailure('proxy', 'proxy: SOCKS5 connection closed during handshake'));
  private readonly onError = (e: Error) => this.fail(e);

  constructor(private readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.want = { n, resolve, reject };
      this.flush();
    });
  }

  fail(e: Error): void {
    this.failure ??= e;
    const w = this.want;
    this.want = undefined;
    w?.reject(e);
  }

  /** Hands the socket back, unread bytes included. */
  release(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.pause();
    if (this.buf.length) this.socket.unshift(this.buf);
  }

  private flush(): void {
    if (this.want && this.buf.length >= this.want.n) {
      const { n, resolve } = this.want;
      this.want = undefined;
      const out = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      resolve(out);
    }
  }
}

const SOCKS_REPLIES: Record<number, string> = {
  1: 'general failure',
  2: 'connection not allowed by ruleset',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

/**
 * Opens a TCP tunnel to `target` (a host name or an already checked IP)
 * through a SOCKS5 proxy (RFC 1928, user/password per RFC 1929).
 */
export async function socks5Connect(
  proxy: ProxySpec,
  target: { host: string; port: number },
  timeoutMs: number,
): Promise<net.Socket> {
  const socket = net.connect({ host: proxy.host, port: proxy.port });
  const reader = new HandshakeReader(socket);
  const timer = setTimeout(() => {
    socket.destroy(new FetchFailure('timeout', `proxy: SOCKS5 handshake timed out after ${timeoutMs} ms (${proxy.host}:${proxy.port})`));
  }, timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      const onErr = (e: NodeJS.ErrnoException) => {
        if (e instanceof FetchFailure) return reject(e);
        reject(new FetchFailure('proxy', `proxy: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.code ?? e.message} (${proxy.host}:${proxy.port})`));
      };
      socket.once('error', onErr);
      socket.once('connect', () => { socket.off('error', onErr); resolve(); });
    });
    const user = decodeURIComponent(proxy.url.username);
    const pass = decodeURIComponent(proxy.url.password);
    const auth = user !== '' || pass !== '';
    socket.write(Buffer.from(auth ? [5, 2, 0, 2] : [5, 1, 0]));
    return await finishSocks(socket, reader, proxy, target, auth, user, pass);
  } catch (e) {
    socket.destroy();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

async function finishSocks(
  socket: net.Socket, reader: HandshakeReader, proxy: ProxySpec,
  target: { host: string; port: number }, auth: boolean, user: string, pass: string,
): Promise<net.Socket> {
  const where = `${proxy.host}:${proxy.port}`;
  const hello = await reader.read(2);
  if (hello[0] !== 5) throw new FetchFailure('proxy', `proxy: not a SOCKS5 server (${where})`);
  if (hello[1] === 2 && auth) {
    const u = Buffer.from(user);
    const p = Buffer.from(pass);
    if (u.length > 255 || p.length > 255) throw new FetchFailure('proxy', 'proxy: SOCKS5 credentials too long');
    socket.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([p.length]), p]));
    const res = await reader.read(2);
    if (res[1] !== 0) throw new FetchFailure('proxy', `proxy: SOCKS5 authentication failed (${where})`);
  } else if (hello[1] !== 0) {
    throw new FetchFailure('proxy', `proxy: SOCKS5 server requires ${hello[1] === 2 ? 'a user name and password' : 'an unsupported authentication method'} (${where})`);
  }
  const host = stripBrackets(target.host);
  const family = isIP(host);
  let addr: Buffer;
  if (family === 4) addr = Buffer.from([1, ...host.split('.').map(Number)]);
  else if (family === 6) addr = Buffer.concat([Buffer.from([4]), ipv6Bytes(host)]);
  else {
    const name = Buffer.from(host);
    if (name.length > 255) throw new FetchFailure('invalid-url', 'host name too long');
    addr = Buffer.concat([Buffer.from([3, name.length]), name]);
  }
  const port = Buffer.alloc(2);
  port.writeUInt16BE(target.port);
  socket.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, port]));
  const head = await reader.read(4);
  if (head[0] !== 5) throw new FetchFailure('proxy', `proxy: invalid SOCKS5 reply (${where})`);
  if (head[1] !== 0) {
    throw new FetchFailure('proxy', `proxy: SOCKS5 ${SOCKS_REPLIES[head[1]] ?? `error ${head[1]}`} (${host}:${target.port} via ${where})`);
  }
  const rest = head[3] === 1 ? 4 + 2 : head[3] === 4 ? 16 + 2 : head[3] === 3 ? (await reader.read(1))[0] + 2 : -1;
  if (rest < 0) throw new FetchFailure('proxy', `proxy: invalid SOCKS5 reply (${where})`);
  await reader.read(rest);
  reader.release();
  return socket;
}

function ipv6Bytes(addr: string): Buffer {
  const [head, tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(parseInt(w, 16) || 0, i * 2));
  return out;
}
