// The HTTP fetcher: polite, cheap when nothing changed, safe against abuse.
export type {
  FetchConfig, FetchRequest, FetchResult, FetchError, FetchErrorKind, ResolvedAddress, BackoffOptions,
} from './types.ts';
export { Fetcher, DEFAULT_USER_AGENT } from './fetcher.ts';
export { backoffMs, parseRetryAfter } from './backoff.ts';
