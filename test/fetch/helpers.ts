// Real servers on 127.0.0.1 for the fetcher tests: an HTTP(S) origin, a forward
// proxy (absolute-form and CONNECT) and a minimal SOCKS5 server.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Served {
  port: number;
  origin: string;
  /** Requests seen, in order: "METHOD path". */
  log: { method: string; url: string; headers: http.IncomingHttpHeaders; at: number }[];
  close: () => Promise<void>;
}

function track(server: http.Server | net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

export async function serve(routes: Record<string, Handler>, tls?: { key: Buffer; cert: Buffer }): Promise<Served> {
  const log: Served['log'] = [];
  const handler: Handler = (req, res) => {
    log.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() });
    const path = (req.url ?? '/').split('?')[0];
    const route = routes[path] ?? routes['*'];
    if (route) route(req, res);
    else { res.writeHead(404); res.end('not found'); }
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  const close = track(server);
  const port = await listen(server);
  return { port, origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, log, close };
}

/** A self-signed certificate for 127.0.0.1 / localhost, made with openssl. */
export function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'fm-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ProxyServer {
  port: number;
  url: string;
  /** What the proxy was asked for: "CONNECT host:port" or "GET http://...". */
  seen: string[];
  close: () => Promise<void>;
}

/** A forward proxy: absolute-form requests for http, CONNECT tunnels for https. */
export async function httpProxy(tls?: { key: Buffer; cert: Buffer }): Promise<ProxyServer> {
  const seen: string[] = [];
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    let target: URL;
    try { target = new URL(req.url ?? ''); } catch { res.writeHead(400); res.end(); return; }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const up = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  };
  const server = tls ? https.createServer(tls, handle) : http.createServer(handle);
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', () => up.destroy());
  });
  const close = track(server);
  const port = await listen(server);
  return { port, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, seen, close };
}

/** SOCKS5 without auth, or with user/pass when given; CONNECT only. */
export async function socksProxy(auth?: { user: string; pass: string }): Promise<ProxyServer> {
  const seen: string[] = [];
  const server = net.createServer((client) => {
    let buf = Buffer.alloc(0);
    let stage: 'hello' | 'auth' | 'request' | 'piped' = 'hello';
    client.on('error', () => {});
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === 'hello') {
        if (buf.length < 2 || buf.length < 2 + buf[1]) return;
        const methods = [...buf.subarray(2, 2 + buf[1])];
        buf = buf.subarray(2 + buf[1]);
        if (auth) {
          if (!methods.includes(2)) return void client.end(Buffer.from([5, 0xff]));
          client.write(Buffer.from([5, 2]));
          stage = 'auth';
        } else {
          client.write(Buffer.from([5, 0]));
          stage = 'request';
        }
      }
      if (stage === 'auth') {
        if (buf.length < 2) return;
        const ulen = buf[1];
        if (buf.length < 3 + ulen) return;
        const plen = buf[2 + ulen];
        if (buf.length < 3 + ulen + plen) return;
        const user = buf.subarray(2, 2 + ulen).toString();
        const pass = buf.subarray(3 + ulen, 3 + ulen + plen).toString();
        buf = buf.subarray(3 + ulen + plen);
        const ok = user === auth!.user && pass === auth!.pass;
        client.write(Buffer.from([1, ok ? 0 : 1]));
        if (!ok) return void client.end();
        stage = 'request';
      }
      if (stage === 'request') {
        if (buf.length < 5) return;
        let host: string;
        let off: number;
        if (buf[3] === 1) { if (buf.length < 10) return; host = [...buf.subarray(4, 8)].join('.'); off = 8; }
        else if (buf[3] === 3) { if (buf.length < 7 + buf[4]) return; host = buf.subarray(5, 5 + buf[4]).toString(); off = 5 + buf[4]; }
        else return void client.end(Buffer.from([5, 8, 0, 1, 0, 0, 0, 0, 0, 0]));
        const port = buf.readUInt16BE(off);
        buf = buf.subarray(off + 2);
        seen.push(`CONNECT ${host}:${port}`);
        stage = 'piped';
        client.off('data', onData);
        client.pause();
        // Names resolve as the "remote" side would; test names map to loopback.
        const address = host.endsWith('.test') ? '127.0.0.1' : host;
        const up = net.connect(port, address, () => {
          client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
          if (buf.length) up.write(buf);
          up.pipe(client);
          client.pipe(up);
          client.resume();
        });
        up.on('error', () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
      }
    };
    client.on('data', onData);
  });
  const close = track(server);
  const port = await listen(server);
  return { port, url: `socks5://127.0.0.1:${port}`, seen, close };
}

/** A port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const text = (s: string | Uint8Array | undefined) => (s === undefined ? undefined : Buffer.from(s).toString('utf8'));
