// Turns whatever Node, undici or a server throws at us into a short FetchError.
import type { FetchError, FetchErrorKind } from './types.ts';

/** A failure we raise ourselves, already classified. */
export class FetchFailure extends Error {
  constructor(readonly kind: FetchErrorKind, message: string) {
    super(message);
  }
}

const TLS_MESSAGES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the certificate (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to verify the certificate (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to verify the certificate (unknown issuer)',
  CERT_REVOKED: 'certificate revoked',
  CERT_UNTRUSTED: 'certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'handshake timed out',
};

function* chain(err: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    yield e as Record<string, unknown>;
    const any = e as { cause?: unknown; errors?: unknown[] };
    // AggregateError from happy eyeballs: the first attempt is representative.
    e = any.cause ?? (Array.isArray(any.errors) ? any.errors[0] : undefined);
  }
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

export interface ErrorContext {
  host: string;
  port?: string;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  /** Set when the request went through a proxy, e.g. "proxy 127.0.0.1:3128". */
  proxy?: { host: string; port: number };
}

export function describe(err: unknown, ctx: ErrorContext): FetchError {
  const at = ctx.host;
  for (const e of chain(err)) {
    if (e instanceof FetchFailure) return { kind: e.kind, message: e.message };
    const code = typeof e.code === 'string' ? e.code : '';
    const msg = typeof e.message === 'string' ? e.message : '';
    const viaProxy = ctx.proxy && (e.port === ctx.proxy.port || e.address === ctx.proxy.host);
    if (viaProxy && (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'EHOSTUNREACH')) {
      return { kind: 'proxy', message: `proxy: ${code === 'ENOTFOUND' ? 'host not found' : code === 'ECONNRESET' ? 'connection reset' : 'connection refused'} (${ctx.proxy!.host}:${ctx.proxy!.port})` };
    }
    if (/Proxy response \((\d+)\)/.test(msg)) {
      return { kind: 'proxy', message: `proxy: refused to connect to ${at} (HTTP ${/Proxy response \((\d+)\)/.exec(msg)![1]})` };
    }
    switch (code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return { kind: 'timeout', message: `connect timed out after ${seconds(ctx.connectTimeoutMs)} (${at})` };
      case 'UND_ERR_HEADERS_TIMEOUT':
        return { kind: 'timeout', message: `no response within ${seconds(ctx.headersTimeoutMs)} (${at})` };
      case 'UND_ERR_BODY_TIMEOUT':
        return { kind: 'timeout', message: `response stalled for ${seconds(ctx.idleTimeoutMs)} (${at})` };
      case 'ENOTFOUND':
        return { kind: 'dns', message: `DNS: host not found (${at})` };
      case 'EAI_AGAIN':
        return { kind: 'dns', message: `DNS: temporary failure resolving ${at}` };
      case 'ENODATA':
        return { kind: 'dns', message: `DNS: no address for ${at}` };
      case 'ECONNREFUSED':
        return { kind: 'refused', message: `connection refused (${at}${ctx.port ? ':' + ctx.port : ''})` };
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return { kind: 'refused', message: `host unreachable (${at})` };
      case 'ECONNRESET':
      case 'EPIPE':
      case 'UND_ERR_SOCKET':
        return { kind: 'reset', message: `connection closed by server (${at})` };
      case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
        return { kind: 'reset', message: `response truncated (${at})` };
      case 'Z_DATA_ERROR':
      case 'Z_BUF_ERROR':
      case 'ERR__ERROR_FORMAT_PADDING_1':
      case 'ERR_PADDING_1':
        return { kind: 'other', message: `corrupt compressed body (${at})` };
    }
    if (TLS_MESSAGES[code]) return { kind: 'tls', message: `TLS: ${TLS_MESSAGES[code]} (${at})` };
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
      const reason = code.replace(/^ERR_(SSL|TLS)_/, '').toLowerCase().replace(/_/g, ' ');
      return { kind: 'tls', message: `TLS: ${reason} (${at})` };
    }
    if (code.startsWith('HPE_') || e.name === 'HTTPParserError') return { kind: 'other', message: `invalid HTTP response (${at})` };
    if (code.startsWith('ERR_BROTLI') || code.startsWith('ERR__')) {
      return { kind: 'other', message: `corrupt compressed body (${at})` };
    }
  }
  const first = err instanceof Error ? err.message : String(err);
  return { kind: 'other', message: `${first.slice(0, 200)} (${at})` };
}
