// Configuration: built-in defaults, then `feedmirror.json` (in the data dir or
// given by --config), then FEEDMIRROR_* environment variables, then CLI flags.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
}

export const defaults: Omit<Config, 'dataDir' | 'dbPath'> = {
  allow: [],
  minInterval: 15 * 60_000,
  maxInterval: 24 * 3_600_000,
  concurrency: 64,
  perHost: 2,
  perHostInterval: 1000,
  timeout: 30_000,
};

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

const known = new Set(['dataDir', 'allow', 'proxy', 'userAgent', 'minInterval', 'maxInterval', 'concurrency', 'perHost', 'perHostInterval', 'timeout']);

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

  if (env.FEEDMIRROR_ALLOW !== undefined) config.allow = list(env.FEEDMIRROR_ALLOW, 'FEEDMIRROR_ALLOW');
  if (env.FEEDMIRROR_PROXY !== undefined) config.proxy = env.FEEDMIRROR_PROXY || undefined;
  if (env.FEEDMIRROR_USER_AGENT) config.userAgent = env.FEEDMIRROR_USER_AGENT;
  if (env.FEEDMIRROR_CONCURRENCY) config.concurrency = positive(env.FEEDMIRROR_CONCURRENCY, 'FEEDMIRROR_CONCURRENCY');
  if (env.FEEDMIRROR_PER_HOST) config.perHost = positive(env.FEEDMIRROR_PER_HOST, 'FEEDMIRROR_PER_HOST');
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
