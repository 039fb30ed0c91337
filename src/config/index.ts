// Configuration: built-in defaults, then `feedmirror.json` (in the data dir or
// given by --config), then FEEDMIRROR_* environment variables, then CLI flags.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { proxyRewriter, templateRewriter, type ImageMode, type ImagesSettings } from '../content/images.ts';
import { parseRules, type Rule } from '../content/rules.ts';
import { checkTemplate } from '../mirror/template.ts';

export interface Config {
  /** Directory holding feedmirror.db and the archive. */
  dataDir: string;
  /** SQLite database file. */
  dbPath: string;
  /** Hosts, IPs or CIDR ranges that may be fetched although private (SSRF allow-list). */
  allow: string[];
  /** Default proxy for every feed without its own (http://, https:// or socks5://). */
  proxy?: string;
  userAgent?: string;
  /** Bounds of the interval between two checks of a feed, in ms. */
  minInterval: number;
  maxInterval: number;
  /** Feeds fetched at once, and at once per host. */
  concurrency: number;
  perHost: number;
  /** Minimum gap between two request starts to one host, ms. */
  perHostInterval: number;
  /** Per-request timeout, ms. */
  timeout: number;
  /** The mirror (src/mirror): time zone of the dates in lists/<site>.md. */
  timeZone: string;
  /** The mirror: image URL template for archived HTML (e.g. "https://images.weserv.nl/?url={url_encoded}"); none by default. */
  imageTemplate?: string;
  /** The mirror: commit the archive after each cycle, and push when a remote is set. */
  git: { enabled: boolean; remote?: string; branch?: string };
  /** The mirror: subscribe to the starter list on the first start. */
  starter: boolean;
  /** How image URLs leave feedmirror (src/content): none, template, proxy (our signed endpoint) or archive (downloaded copies). */
  images: ImagesSettings;
  /** Boilerplate rules applied after the built-in ones (src/content parseRules format). */
  contentRules: Rule[];
  /** The mirror's full text: `auto` fetches pages for content under minChars visible characters; site rules from rulesDir. */
  fulltext: { minChars: number; rulesDir?: string; maxPages: number; concurrency: number };
  /** Layout of extracted articles: {date_line} {lead_image} {caption} {body} {byline}; default the reference layout. */
  extractTemplate?: string;
  /** The web server of `run` and `serve` (src/server serverSettings adds FEEDMIRROR_HOST/PORT/PUBLIC). */
  server?: ServerSettings;
}

export interface ServerSettings {
  host?: string;
  port?: number;
  public?: boolean;
}

export const defaults: Omit<Config, 'dataDir' | 'dbPath'> = {
  allow: [],
  minInterval: 15 * 60_000,
  maxInterval: 24 * 3_600_000,
  concurrency: 64,
  perHost: 2,
  perHostInterval: 1000,
  timeout: 30_000,
  timeZone: 'Asia/Shanghai',
  git: { enabled: false },
  starter: true,
  images: defaultImages(),
  contentRules: [],
  fulltext: { minChars: 200, maxPages: 10, concurrency: 4 },
};

function defaultImages(): ImagesSettings {
  return { mode: 'none', proxy: { prefix: '/img', cacheMaxBytes: 512 * 1024 * 1024, maxBytes: 10 * 1024 * 1024, referers: {} } };
}

export interface LoadOptions {
  /** --data: wins over FEEDMIRROR_DATA and the file. */
  dataDir?: string;
  /** --config: a JSON file; required to exist when given. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "15m", "1d", "90s", "1h30m" or a bare number of seconds, to milliseconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0) throw new Error(`invalid duration: ${text}`);
    return text * 1000;
  }
  const s = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * units[m[2]];
    end = re.lastIndex;
  }
  if (!s || end !== s.length) throw new Error(`invalid duration: "${text}" (use e.g. 15m, 2h, 1d)`);
  return total;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [u, n] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= n) {
      parts.push(`${Math.floor(rest / n)}${u}`);
      rest %= n;
    }
  }
  return parts.slice(0, 2).join('');
}

function list(value: unknown, what: string): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new Error(`${what}: expected a list of strings`);
}

function positive(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new Error(`${what}: expected a positive integer`);
  return n;
}

function duration(value: unknown, what: string): number {
  if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${what}: expected a duration like "15m"`);
  try {
    return parseDuration(value);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
}

function readJson(path: string, required: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read config ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`config ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`config ${path}: expected a JSON object`);
  return data as Record<string, unknown>;
}

const known = new Set(['dataDir', 'allow', 'proxy', 'userAgent', 'minInterval', 'maxInterval', 'concurrency', 'perHost', 'perHostInterval', 'timeout', 'timeZone', 'imageTemplate', 'git', 'starter', 'images', 'contentRules', 'fulltext', 'extractTemplate', 'server']);

const byteUnits: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1 << 20, mb: 1 << 20, mib: 1 << 20, g: 1 << 30, gb: 1 << 30, gib: 1 << 30 };

/** 1048576, "10MiB", "512 MB", "1g" (binary units) to bytes. */
export function parseBytes(value: unknown, what: string): number {
  const m = typeof value === 'number' ? [String(value), String(value), ''] : typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null;
  const unit = m ? byteUnits[m[2].toLowerCase()] : undefined;
  const n = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${what}: expected a size like 10485760, "10MiB" or "512MB"`);
  return n;
}

const IMAGE_MODES: readonly ImageMode[] = ['none', 'template', 'proxy', 'archive'];

function object(value: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what}: expected an object`);
  for (const k of Object.keys(value)) if (!keys.includes(k)) throw new Error(`${what}: unknown setting "${k}" (known: ${keys.join(', ')})`);
  return value as Record<string, unknown>;
}

function imageMode(value: unknown, what: string): ImageMode {
  if (typeof value !== 'string' || !IMAGE_MODES.includes(value as ImageMode)) throw new Error(`${what}: expected one of ${IMAGE_MODES.join(', ')}`);
  return value as ImageMode;
}

function imageTemplateSetting(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a URL template like "https://images.weserv.nl/?url={url_encoded}"`);
  try {
    templateRewriter(value);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
  return value;
}

function imageSecretSetting(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length < 16) throw new Error(`${what}: expected a secret of at least 16 characters`);
  return value;
}

/** The `images` object: `{mode, template, proxy: {secret, prefix, cacheDir, cacheMaxBytes, maxBytes, referers}}`. */
function imagesSettings(value: unknown, dataDir: string): ImagesSettings {
  const v = object(value, 'images', ['mode', 'template', 'proxy']);
  const out = defaultImages();
  if (v.mode !== undefined) out.mode = imageMode(v.mode, 'images.mode');
  if (v.template !== undefined) out.template = imageTemplateSetting(v.template, 'images.template');
  if (v.proxy !== undefined) {
    const p = object(v.proxy, 'images.proxy', ['secret', 'prefix', 'cacheDir', 'cacheMaxBytes', 'maxBytes', 'referers']);
    if (p.secret !== undefined) out.proxy.secret = imageSecretSetting(p.secret, 'images.proxy.secret');
    if (p.prefix !== undefined) {
      try {
        if (typeof p.prefix !== 'string') throw new Error('expected a string');
        proxyRewriter('x'.repeat(16), p.prefix);
      } catch (err) {
        throw new Error(`images.proxy.prefix: ${(err as Error).message}`);
      }
      out.proxy.prefix = p.prefix.replace(/\/+$/, '');
    }
    if (p.cacheDir !== undefined) {
      if (typeof p.cacheDir !== 'string' || !p.cacheDir.trim()) throw new Error('images.proxy.cacheDir: expected a directory');
      out.proxy.cacheDir = resolve(dataDir, p.cacheDir);
    }
    if (p.cacheMaxBytes !== undefined) out.proxy.cacheMaxBytes = parseBytes(p.cacheMaxBytes, 'images.proxy.cacheMaxBytes');
    if (p.maxBytes !== undefined) out.proxy.maxBytes = parseBytes(p.maxBytes, 'images.proxy.maxBytes');
    if (p.referers !== undefined) {
      if (!p.referers || typeof p.referers !== 'object' || Array.isArray(p.referers)) throw new Error('images.proxy.referers: expected an object like {"sinaimg.cn": "https://weibo.com/", "qpic.cn": ""}');
      for (const [host, ref] of Object.entries(p.referers)) {
        if (!/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(host)) throw new Error(`images.proxy.referers: "${host}" is not a host name suffix`);
        if (typeof ref !== 'string' || (ref !== '' && !/^https?:\/\/[^\s]+$/i.test(ref))) throw new Error(`images.proxy.referers.${host}: expected an http(s) URL, or "" for no Referer`);
        out.proxy.referers[host.toLowerCase().replace(/^\./, '')] = ref;
      }
    }
  }
  return out;
}

function flag(value: unknown, what: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(1|true|yes|on)$/i.test(value.trim())) return true;
  if (typeof value === 'string' && /^(0|false|no|off|)$/i.test(value.trim())) return false;
  throw new Error(`${what}: expected true or false`);
}

function timeZone(value: unknown, what: string): string {
  if (typeof value !== 'string' || !value.trim()) throw new Error(`${what}: expected an IANA time zone like "Asia/Shanghai"`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value.trim() });
  } catch {
    throw new Error(`${what}: unknown time zone "${value}"`);
  }
  return value.trim();
}

function gitSettings(value: unknown): Config['git'] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('git: expected an object like {"enabled": true, "remote": "origin", "branch": "main"}');
  const g = value as Record<string, unknown>;
  for (const k of Object.keys(g)) if (!['enabled', 'remote', 'branch'].includes(k)) throw new Error(`git: unknown setting "${k}" (known: enabled, remote, branch)`);
  const out: Config['git'] = { enabled: g.enabled === undefined ? true : flag(g.enabled, 'git.enabled') };
  for (const k of ['remote', 'branch'] as const) {
    if (g[k] === undefined) continue;
    if (typeof g[k] !== 'string' || !(g[k] as string).trim() || (g[k] as string).startsWith('-')) throw new Error(`git.${k}: expected a name not starting with "-"`);
    out[k] = (g[k] as string).trim();
  }
  return out;
}

/** The `server` object: `{host, port, public}`, each optional. */
function serverSection(value: unknown): ServerSettings {
  const v = object(value, 'server', ['host', 'port', 'public']);
  const out: ServerSettings = {};
  if (v.host !== undefined) {
    // An address or a name to bind; no scheme, port or spaces (a common slip is "http://0.0.0.0").
    if (typeof v.host !== 'string' || !/^(?:[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45})$/.test(v.host)) throw new Error('server.host: expected an address like "127.0.0.1", "0.0.0.0" or "::"');
    out.host = v.host;
  }
  if (v.port !== undefined) {
    if (typeof v.port !== 'number' || !Number.isInteger(v.port) || v.port < 0 || v.port > 65535) throw new Error('server.port: expected an integer 0-65535 (0: any free port)');
    out.port = v.port;
  }
  if (v.public !== undefined) {
    if (typeof v.public !== 'boolean') throw new Error('server.public: expected true or false');
    out.public = v.public;
  }
  return out;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const early = options.dataDir ?? env.FEEDMIRROR_DATA;
  const configFile = options.configFile ?? env.FEEDMIRROR_CONFIG;
  const file = configFile
    ? readJson(resolve(cwd, configFile), true)
    : readJson(join(resolve(cwd, early ?? 'data'), 'feedmirror.json'), false);
  for (const key of Object.keys(file)) {
    if (!known.has(key)) throw new Error(`config: unknown setting "${key}" (known: ${[...known].join(', ')})`);
  }
  const dataDir = resolve(cwd, early ?? (typeof file.dataDir === 'string' ? file.dataDir : 'data'));
  const config: Config = { ...defaults, dataDir, dbPath: join(dataDir, 'feedmirror.db') };
  if (file.allow !== undefined) config.allow = list(file.allow, 'allow');
  if (file.proxy !== undefined) config.proxy = String(file.proxy);
  if (file.userAgent !== undefined) config.userAgent = String(file.userAgent);
  if (file.minInterval !== undefined) config.minInterval = duration(file.minInterval, 'minInterval');
  if (file.maxInterval !== undefined) config.maxInterval = duration(file.maxInterval, 'maxInterval');
  if (file.concurrency !== undefined) config.concurrency = positive(file.concurrency, 'concurrency');
  if (file.perHost !== undefined) config.perHost = positive(file.perHost, 'perHost');
  if (file.perHostInterval !== undefined) config.perHostInterval = duration(file.perHostInterval, 'perHostInterval');
  if (file.timeout !== undefined) config.timeout = duration(file.timeout, 'timeout');
  if (file.timeZone !== undefined) config.timeZone = timeZone(file.timeZone, 'timeZone');
  if (file.imageTemplate !== undefined) config.imageTemplate = String(file.imageTemplate) || undefined;
  if (file.git !== undefined) config.git = gitSettings(file.git);
  if (file.starter !== undefined) config.starter = flag(file.starter, 'starter');
  config.images = file.images !== undefined ? imagesSettings(file.images, dataDir) : defaultImages();
  if (file.server !== undefined) config.server = serverSection(file.server);
  if (file.fulltext !== undefined) {
    const f = object(file.fulltext, 'fulltext', ['minChars', 'rulesDir', 'maxPages', 'concurrency']);
    config.fulltext = { ...defaults.fulltext };
    if (f.minChars !== undefined) config.fulltext.minChars = positive(f.minChars, 'fulltext.minChars');
    if (f.maxPages !== undefined) config.fulltext.maxPages = positive(f.maxPages, 'fulltext.maxPages');
    if (f.concurrency !== undefined) config.fulltext.concurrency = positive(f.concurrency, 'fulltext.concurrency');
    if (f.rulesDir !== undefined) {
      if (typeof f.rulesDir !== 'string' || !f.rulesDir.trim()) throw new Error('fulltext.rulesDir: expected a directory');
      config.fulltext.rulesDir = resolve(dataDir, f.rulesDir);
    }
  }
  if (file.extractTemplate !== undefined) {
    if (typeof file.extractTemplate !== 'string') throw new Error('extractTemplate: expected a string like "{date_line}{lead_image}{caption}{body}"');
    try {
      checkTemplate(file.extractTemplate);
    } catch (err) {
      throw new Error(`extractTemplate: ${(err as Error).message}`);
    }
    config.extractTemplate = file.extractTemplate || undefined;
  }
  if (file.contentRules !== undefined) {
    try {
      config.contentRules = parseRules(file.contentRules);
    } catch (err) {
      throw new Error(`contentRules: ${(err as Error).message}`);
    }
  }

  if (env.FEEDMIRROR_ALLOW !== undefined) config.allow = list(env.FEEDMIRROR_ALLOW, 'FEEDMIRROR_ALLOW');
  if (env.FEEDMIRROR_PROXY !== undefined) config.proxy = env.FEEDMIRROR_PROXY || undefined;
  if (env.FEEDMIRROR_USER_AGENT) config.userAgent = env.FEEDMIRROR_USER_AGENT;
  if (env.FEEDMIRROR_CONCURRENCY) config.concurrency = positive(env.FEEDMIRROR_CONCURRENCY, 'FEEDMIRROR_CONCURRENCY');
  if (env.FEEDMIRROR_PER_HOST) config.perHost = positive(env.FEEDMIRROR_PER_HOST, 'FEEDMIRROR_PER_HOST');
  if (env.FEEDMIRROR_TIME_ZONE) config.timeZone = timeZone(env.FEEDMIRROR_TIME_ZONE, 'FEEDMIRROR_TIME_ZONE');
  if (env.FEEDMIRROR_IMAGE_TEMPLATE !== undefined) config.imageTemplate = env.FEEDMIRROR_IMAGE_TEMPLATE || undefined;
  if (env.FEEDMIRROR_GIT !== undefined) config.git = { ...config.git, enabled: flag(env.FEEDMIRROR_GIT, 'FEEDMIRROR_GIT') };
  for (const [name, key] of [['FEEDMIRROR_GIT_REMOTE', 'remote'], ['FEEDMIRROR_GIT_BRANCH', 'branch']] as const) {
    const v = env[name];
    if (v !== undefined) config.git = { ...config.git, [key]: v ? gitSettings({ [key]: v })[key] : undefined };
  }
  if (env.FEEDMIRROR_IMAGE_MODE) config.images.mode = imageMode(env.FEEDMIRROR_IMAGE_MODE, 'FEEDMIRROR_IMAGE_MODE');
  if (env.FEEDMIRROR_IMAGE_SECRET) config.images.proxy.secret = imageSecretSetting(env.FEEDMIRROR_IMAGE_SECRET, 'FEEDMIRROR_IMAGE_SECRET');
  // The older flat `imageTemplate` is the template mode's template; both spellings stay in step.
  if (config.imageTemplate !== undefined) {
    config.imageTemplate = imageTemplateSetting(config.imageTemplate, env.FEEDMIRROR_IMAGE_TEMPLATE ? 'FEEDMIRROR_IMAGE_TEMPLATE' : 'imageTemplate');
    config.images.template = config.imageTemplate;
    if (config.images.mode === 'none' && !env.FEEDMIRROR_IMAGE_MODE && (file.images as { mode?: unknown } | undefined)?.mode === undefined) config.images.mode = 'template';
  }
  if (config.images.mode === 'template' && !config.images.template) throw new Error('images.mode "template" needs images.template');
  config.imageTemplate = config.images.mode === 'template' ? config.images.template : undefined;
  config.images.proxy.cacheDir ??= join(dataDir, 'image-cache');
  if (config.proxy) checkProxy(config.proxy);
  if (config.minInterval > config.maxInterval) throw new Error('config: minInterval is larger than maxInterval');
  return config;
}

/** Throws unless the proxy URL is one the fetcher can use. */
export function checkProxy(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid proxy URL: ${url}`);
  }
  if (!['http:', 'https:', 'socks5:', 'socks5h:'].includes(u.protocol)) {
    throw new Error(`unsupported proxy scheme ${u.protocol} (use http://, https://, socks5:// or socks5h://)`);
  }
}
