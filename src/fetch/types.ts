// The fetcher's vocabulary, shared by subscriptions, the scheduler, full-text
// fetching and the image proxy.

export interface FetchConfig {
  /** Default `feedmirror/0.1 (+https://github.com/feedmirror/feedmirror)`. */
  userAgent?: string;
  /** Cap on the DECOMPRESSED body, in bytes. Default 32 MiB. */
  maxBytes?: number;
  /** TCP + TLS handshake (and proxy handshake). Default 15 s. */
  connectTimeoutMs?: number;
  /** From request sent to response headers received. Default 30 s. */
  headersTimeoutMs?: number;
  /** Longest silence while reading the body. Default 30 s. */
  idleTimeoutMs?: number;
  /** Whole fetch, every redirect hop included, queue wait excluded. Default 60 s. */
  deadlineMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Requests in flight overall. Default 32. */
  concurrency?: number;
  /** Requests in flight per host name. Default 2. */
  perHostConcurrency?: number;
  /** Minimum gap between two request starts to one host name. Default 1000 ms. */
  perHostIntervalMs?: number;
  /** Global proxy: http://, https://, socks5:// (local DNS) or socks5h:// (proxy DNS).
   *  Default: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY from `env`. `''` = none, ignore env. */
  proxy?: string;
  /** Hosts that bypass the global proxy (NO_PROXY syntax). Default: NO_PROXY from `env`. */
  noProxy?: string;
  /** SSRF allow-list: IPs, CIDRs or host names that may be reached although private. */
  allow?: string[];
  /** Environment to read proxy variables from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Extra trusted CA certificates (PEM), in addition to Node's bundled roots. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Name resolution; replaceable for tests. Default: the system resolver (getaddrinfo). */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface FetchRequest {
  url: string;
  /** Validators from the previous fetch: sent as If-None-Match / If-Modified-Since. */
  etag?: string;
  lastModified?: string;
  /** Per-request proxy; `null` = direct, `undefined` = the global proxy. */
  proxy?: string | null;
  userAgent?: string;
  /** Extra request headers (e.g. Cookie, Authorization). */
  headers?: Record<string, string>;
  /** Accept header; default prefers feeds. */
  accept?: string;
  maxBytes?: number;
  signal?: AbortSignal;
}

export type FetchErrorKind =
  | 'dns' | 'refused' | 'reset' | 'tls' | 'timeout' | 'too-large' | 'http' | 'ssrf'
  | 'redirect-loop' | 'too-many-redirects' | 'proxy' | 'invalid-url' | 'aborted' | 'other';

export interface FetchError {
  kind: FetchErrorKind;
  /** Short, precise, for users: "TLS: certificate has expired (example.com)". */
  message: string;
}

export interface FetchResult {
  /** True for 2xx with a body, and for 304. */
  ok: boolean;
  /** HTTP status of the last response, when one arrived. */
  status?: number;
  notModified: boolean;
  /** Final URL after redirects. */
  url: string;
  /** Set when every hop of the redirect chain was 301/308: the URL to store instead. */
  permanentRedirect?: string;
  /** URLs redirected to, in order (the final URL last). */
  redirects: string[];
  /** Response headers of the last response, lower-case names. */
  headers: Record<string, string>;
  /** Decompressed body, bytes untouched otherwise (charset decoding is the parser's job). */
  body?: Uint8Array;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  /** From Retry-After on 429/503 (seconds or HTTP date). */
  retryAfterMs?: number;
  error?: FetchError;
  /** From the first request start (after queueing) to the end. */
  elapsedMs: number;
}

export interface BackoffOptions {
  /** Delay after the first error. Default 5 min. */
  baseMs?: number;
  /** Default 24 h. */
  capMs?: number;
  /** Random spread, 0..1, as a fraction of the delay. Default 0.2. */
  jitter?: number;
  /** Random source in [0, 1); replaceable for tests. */
  random?: () => number;
}
