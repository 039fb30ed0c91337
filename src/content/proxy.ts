// The image proxy: readers load images from feedmirror's own endpoint instead of
// hosts blocked where they live. URLs are HMAC-signed (no open proxy), fetched
// through the fetcher (SSRF guard, size cap, timeouts, proxies), checked to be a
// raster image by their bytes, and kept in a size-bounded disk cache.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, promises as fs, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Fetcher } from '../fetch/index.ts';
import type { ImageOptions, ImagesSettings } from './images.ts';

/** Default cap on one image, after decompression. */
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_PREFIX = '/img';

// ---------------------------------------------------------------- signing

const SIG = /^[A-Za-z0-9_-]{43}$/;
const B64 = /^[A-Za-z0-9_-]{1,16384}$/;

function mac(url: string, secret: string): Buffer {
  // Domain-separated, so a secret shared with something else signs nothing there.
  return createHmac('sha256', secret).update('feedmirror-image\0').update(url).digest();
}

/** The proxy path of an image URL: `<prefix>/<hmac>/<base64url(url)>`. */
export function signImageUrl(url: string, secret: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix.replace(/\/+$/, '')}/${mac(url, secret).toString('base64url')}/${Buffer.from(url, 'utf8').toString('base64url')}`;
}

/** The image URL of a signed path (its last two segments), or undefined when the signature does not match. */
export function verifyImagePath(pathname: string, secret: string): string | undefined {
  const parts = pathname.split('?')[0].split('/');
  const enc = parts.pop() ?? '';
  const sig = parts.pop() ?? '';
  if (!SIG.test(sig) || !B64.test(enc)) return undefined;
  const url = Buffer.from(enc, 'base64url').toString('utf8');
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(url, secret);
  return given.length === expected.length && timingSafeEqual(given, expected) ? url : undefined;
}

/** The configured secret, or the one kept in `<dataDir>/image-proxy.secret` (created on first use, mode 0600). */
export function imageSecret(opts: { secret?: string; dataDir: string }): string {
  if (opts.secret !== undefined) {
    if (opts.secret.length < 16) throw new Error('images.proxy.secret: use at least 16 characters');
    return opts.secret;
  }
  const file = path.join(opts.dataDir, 'image-proxy.secret');
  const read = (): string | undefined => {
    try {
      const s = readFileSync(file, 'utf8').trim();
      return s.length >= 16 ? s : undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read the image proxy secret ${file}: ${(e as Error).message}`);
    }
  };
  const existing = read();
  if (existing) return existing;
  mkdirSync(opts.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch (e) {
    // Another process created it first: use theirs.
    const theirs = (e as NodeJS.ErrnoException).code === 'EEXIST' ? read() : undefined;
    if (theirs) return theirs;
    throw new Error(`cannot write the image proxy secret ${file}: ${(e as Error).message}`);
  }
}

/** The ImageOptions that cleanHtml/rewriteImages take, from the config's `images` settings. */
export function imageOptions(settings: ImagesSettings | undefined, dataDir: string): ImageOptions {
  if (!settings || settings.mode === 'none') return { mode: 'none' };
  if (settings.mode === 'template') {
    if (!settings.template) throw new Error('images.template: needed for mode "template"');
    return { mode: 'template', template: settings.template };
  }
  if (settings.mode === 'proxy') {
    return { mode: 'proxy', secret: imageSecret({ secret: settings.proxy.secret, dataDir }), prefix: settings.proxy.prefix };
  }
  return { mode: 'archive' };
}

// ---------------------------------------------------------------- image checks

export interface ImageType {
  type: string;
  ext: string;
}

const TYPES: Record<string, ImageType> = {
  jpeg: { type: 'image/jpeg', ext: 'jpg' },
  png: { type: 'image/png', ext: 'png' },
  gif: { type: 'image/gif', ext: 'gif' },
  webp: { type: 'image/webp', ext: 'webp' },
  avif: { type: 'image/avif', ext: 'avif' },
  bmp: { type: 'image/bmp', ext: 'bmp' },
  ico: { type: 'image/x-icon', ext: 'ico' },
};

/** Declared types we accept (the bytes decide which one we serve); octet-stream and none are common on CDNs. */
const DECLARED = new Set([
  'image/jpeg', 'image/jpg', 'image/pjpeg', 'image/png', 'image/apng', 'image/x-png', 'image/gif', 'image/webp',
  'image/avif', 'image/bmp', 'image/x-bmp', 'image/x-ms-bmp', 'image/x-icon', 'image/vnd.microsoft.icon', 'image/ico',
  'application/octet-stream', 'binary/octet-stream', '',
]);

const ascii = (b: Uint8Array, from: number, to: number): string => Buffer.from(b.subarray(from, to)).toString('latin1');

/** The raster format of these bytes by their magic numbers, or undefined. SVG is never one. */
export function sniffImage(b: Uint8Array): ImageType | undefined {
  if (b.length < 12) return undefined;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return TYPES.jpeg;
  if (ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return TYPES.png;
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return TYPES.gif;
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return TYPES.webp;
  if (ascii(b, 4, 8) === 'ftyp') {
    const size = Math.min(Buffer.from(b).readUInt32BE(0), b.length, 256);
    const brands = [ascii(b, 8, 12)];
    for (let i = 16; i + 4 <= size; i += 4) brands.push(ascii(b, i, i + 4));
    if (brands.includes('avif') || brands.includes('avis')) return TYPES.avif;
    return undefined;
  }
  // BMP: "BM" alone would match text; the DIB header size must be one of the known ones.
  if (b[0] === 0x42 && b[1] === 0x4d && b.length >= 18 && [12, 40, 52, 56, 64, 108, 124].includes(Buffer.from(b).readUInt32LE(14))) return TYPES.bmp;
  if (b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0 && (b[4] | b[5]) !== 0) return TYPES.ico;
  return undefined;
}

// ---------------------------------------------------------------- Referer rules

/** Hosts that refuse hotlinking without their own Referer, or with any Referer. Default: no Referer. */
export const BUILTIN_REFERERS: Readonly<Record<string, string>> = {
  'sinaimg.cn': 'https://weibo.com/',
  'doubanio.com': 'https://www.douban.com/',
  'hdslb.com': 'https://www.bilibili.com/',
  'qpic.cn': '',
  'qlogo.cn': '',
};

/** The Referer to send for a URL: the rule of the longest matching host suffix ('' = none). */
export function refererFor(url: string, rules: Readonly<Record<string, string>> = {}): string {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return '';
  }
  const all = { ...BUILTIN_REFERERS, ...rules };
  let best = '';
  let value = '';
  for (const [suffix, referer] of Object.entries(all)) {
    const s = suffix.toLowerCase().replace(/^\./, '');
    if ((host === s || host.endsWith(`.${s}`)) && s.length > best.length) {
      best = s;
      value = referer;
    }
  }
  return value;
}

// ---------------------------------------------------------------- fetching one image

export type ImageFetch =
  | { ok: true; type: string; ext: string; body: Buffer }
  | { ok: false; status: number; message: string };

export interface ImageFetchOptions {
  maxBytes?: number;
  referers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

function size(n: number): string {
  if (n >= 1048576) return `${Math.round((n / 1048576) * 10) / 10} MiB`;
  return n >= 1024 ? `${Math.round((n / 1024) * 10) / 10} KiB` : `${n} bytes`;
}

const ACCEPT = 'image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8';

/** One image through the fetcher, refused unless it is a raster image we allow. Never throws. */
export async function fetchImage(fetcher: Fetcher, url: string, opts: ImageFetchOptions = {}): Promise<ImageFetch> {
  const referer = refererFor(url, opts.referers);
  const maxBytes = opts.maxBytes ?? IMAGE_MAX_BYTES;
  const r = await fetcher.fetch({ url, accept: ACCEPT, maxBytes, headers: referer ? { referer } : {}, signal: opts.signal });
  if (!r.ok || !r.body) {
    const e = r.error ?? { kind: 'other', message: 'no body' };
    const status =
      e.kind === 'ssrf' ? 403
        : e.kind === 'too-large' ? 413
        : e.kind === 'timeout' ? 504
        : e.kind === 'invalid-url' ? 400
        : e.kind === 'http' && (r.status === 404 || r.status === 410) ? 404
        : 502;
    const message = e.kind === 'too-large' ? `image larger than ${size(maxBytes)} (${e.message.replace(/.*\(/, '').replace(/\)$/, '')})` : e.message;
    return { ok: false, status, message };
  }
  const declared = (r.contentType ?? '').split(';')[0].trim().toLowerCase();
  const body = Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
  // Refused either way when no magic number matches; this only picks the clearer message.
  if (declared === 'image/svg+xml' || (!sniffImage(body) && /<svg[\s/>]/i.test(body.subarray(0, 4096).toString('latin1')))) {
    return { ok: false, status: 415, message: 'SVG images are refused (they can carry scripts)' };
  }
  if (!DECLARED.has(declared)) return { ok: false, status: 415, message: `not an image (${declared.slice(0, 80)})` };
  const kind = sniffImage(body);
  if (!kind) return { ok: false, status: 415, message: `not an image: the bytes are no JPEG, PNG, GIF, WebP, AVIF, BMP or ICO${declared ? ` (declared ${declared})` : ''}` };
  return { ok: true, type: kind.type, ext: kind.ext, body };
}

// ---------------------------------------------------------------- disk cache

interface Entry {
  size: number;
  atime: number;
}

export interface CachedImage {
  type: string;
  etag: string;
  body: Buffer;
}

const MAGIC = 'FMIMG1 ';
const TOUCH_MS = 60_000;

/**
 * Content addressed by URL hash: `<dir>/<2 hex>/<sha256(url)>`, each file a
 * header line (`FMIMG1 <type> <etag>`) and the bytes. Writes are atomic (temp
 * file + rename). Least recently used files go when the total passes the limit;
 * the order lives in memory (a Map in use order) and in the files' atimes across restarts.
 */
export class ImageCache {
  private readonly index = new Map<string, Entry>();
  private total = 0;
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string, readonly maxBytes: number) {}

  get size(): { files: number; bytes: number } {
    return { files: this.index.size, bytes: this.total };
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), key);
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await fs.mkdir(this.dir, { recursive: true });
      const found: [string, Entry][] = [];
      for (const sub of await fs.readdir(this.dir)) {
        if (!/^[0-9a-f]{2}$/.test(sub)) continue;
        let names: string[];
        try {
          names = await fs.readdir(path.join(this.dir, sub));
        } catch {
          continue;
        }
        for (const name of names) {
          const p = path.join(this.dir, sub, name);
          if (name.startsWith('.')) {
            await fs.rm(p, { force: true }).catch(() => {}); // a write interrupted by a crash
            continue;
          }
          if (!/^[0-9a-f]{64}$/.test(name)) continue;
          try {
            const st = await fs.stat(p);
            found.push([name, { size: st.size, atime: st.atimeMs }]);
          } catch {
            // Gone meanwhile.
          }
        }
      }
      found.sort((a, b) => a[1].atime - b[1].atime);
      for (const [k, e] of found) {
        this.index.set(k, e);
        this.total += e.size;
      }
      await this.evict();
    })();
    return this.ready;
  }

  async get(key: string): Promise<CachedImage | undefined> {
    await this.init();
    const entry = this.index.get(key);
    if (!entry) return undefined;
    const p = this.file(key);
    let data: Buffer;
    try {
      data = await fs.readFile(p);
    } catch {
      this.drop(key);
      return undefined;
    }
    const nl = data.indexOf(10);
    const head = nl > 0 && nl < 300 ? data.subarray(0, nl).toString('latin1') : '';
    const [magic, type, etag] = head.split(' ');
    const body = data.subarray(nl + 1);
    if (`${magic} ` !== MAGIC || !type || !etag || !sniffImage(body)) {
      // Torn or foreign file: forget it, fetch again.
      this.drop(key);
      await fs.rm(p, { force: true }).catch(() => {});
      return undefined;
    }
    const now = Date.now();
    this.index.delete(key);
    this.index.set(key, entry);
    if (now - entry.atime > TOUCH_MS) {
      // Persist the use for the next start; cheap enough once a minute per file.
      fs.utimes(p, now / 1000, now / 1000).catch(() => {});
    }
    entry.atime = now;
    return { type, etag, body };
  }

  async put(key: string, image: CachedImage): Promise<void> {
    await this.init();
    const bytes = Buffer.concat([Buffer.from(`${MAGIC}${image.type} ${image.etag}\n`, 'latin1'), image.body]);
    if (bytes.length > this.maxBytes) return;
    const p = this.file(key);
    await fs.mkdir(path.dirname(p), { recursive: true });
    const tmp = path.join(path.dirname(p), `.${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      await fs.writeFile(tmp, bytes, { mode: 0o644 });
      await fs.rename(tmp, p);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw e;
    }
    this.drop(key);
    this.index.set(key, { size: bytes.length, atime: Date.now() });
    this.total += bytes.length;
    await this.evict();
  }

  private drop(key: string): void {
    const e = this.index.get(key);
    if (!e) return;
    this.total -= e.size;
    this.index.delete(key);
  }

  private async evict(): Promise<void> {
    for (const [key] of this.index) {
      if (this.total <= this.maxBytes) break;
      this.drop(key);
      await fs.rm(this.file(key), { force: true }).catch(() => {});
    }
  }
}

// ---------------------------------------------------------------- the handler

export interface ImageProxyOptions {
  secret: string;
  /** Use one with small politeness gaps (a page holds many images of one host). */
  fetcher: Fetcher;
  cacheDir: string;
  /** Default 512 MiB. */
  cacheMaxBytes?: number;
  /** Cap on one image (default 10 MiB). */
  maxBytes?: number;
  /** Host suffix → Referer ('' = none), over BUILTIN_REFERERS. */
  referers?: Readonly<Record<string, string>>;
}

export interface ImageRequest {
  /** The request path, e.g. `/img/<hmac>/<base64url>`: its last two segments are read. */
  url: string;
  method?: string;
  headers?: Record<string, string | string[] | undefined>;
}

export interface ImageResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type ImageProxy = ((req: ImageRequest) => Promise<ImageResponse>) & { cache: ImageCache };

const COMMON = { 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox" };

function failure(status: number, message: string, extra: Record<string, string> = {}): ImageResponse {
  const body = Buffer.from(`${message}\n`, 'utf8');
  return {
    status,
    headers: { ...COMMON, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(body.length), ...extra },
    body,
  };
}

function header(h: ImageRequest['headers'], name: string): string {
  const v = h?.[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** A framework-free handler for `GET <prefix>/<hmac>/<base64url(url)>`. Never throws. */
export function createImageProxy(options: ImageProxyOptions): ImageProxy {
  if (!options.secret || options.secret.length < 16) throw new Error('image proxy: the secret needs at least 16 characters');
  const cache = new ImageCache(options.cacheDir, options.cacheMaxBytes ?? 512 * 1024 * 1024);
  type Failed = Extract<ImageFetch, { ok: false }>;
  const pending = new Map<string, Promise<CachedImage | Failed>>();

  // Concurrent misses of one URL share one fetch.
  const load = (url: string, key: string): Promise<CachedImage | Failed> => {
    let p = pending.get(key);
    if (p) return p;
    p = (async () => {
      const r = await fetchImage(options.fetcher, url, { maxBytes: options.maxBytes, referers: options.referers });
      if (!r.ok) return r;
      const image = { type: r.type, etag: `"${createHash('sha256').update(r.body).digest('base64url').slice(0, 27)}"`, body: r.body };
      await cache.put(key, image).catch(() => {}); // a full disk costs the cache, not the image
      return image;
    })().finally(() => pending.delete(key));
    pending.set(key, p);
    return p;
  };

  const handle = async (req: ImageRequest): Promise<ImageResponse> => {
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') return failure(405, 'method not allowed', { allow: 'GET, HEAD' });
      const url = verifyImagePath(String(req.url ?? ''), options.secret);
      if (url === undefined) return failure(403, 'bad signature');
      const key = createHash('sha256').update(url).digest('hex');
      let image: CachedImage | undefined = await cache.get(key).catch(() => undefined);
      if (!image) {
        const r = await load(url, key);
        if ('ok' in r) return failure(r.status, r.message);
        image = r;
      }
      const headers: Record<string, string> = {
        ...COMMON,
        'content-type': image.type,
        'cache-control': 'public, max-age=31536000, immutable',
        etag: image.etag,
      };
      const inm = header(req.headers, 'if-none-match');
      if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === image!.etag)) return { status: 304, headers, body: Buffer.alloc(0) };
      headers['content-length'] = String(image.body.length);
      return { status: 200, headers, body: method === 'HEAD' ? Buffer.alloc(0) : image.body };
    } catch {
      return failure(500, 'image proxy error'); // details (file paths) stay on the server
    }
  };
  return Object.assign(handle, { cache });
}

/** The handler as a node:http listener (for the benchmark, or a server without a framework). */
export function nodeImageHandler(proxy: (req: ImageRequest) => Promise<ImageResponse>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    proxy({ url: req.url ?? '', method: req.method, headers: req.headers }).then(
      (r) => res.writeHead(r.status, r.headers).end(r.body),
      () => res.writeHead(500).end(),
    );
  };
}
