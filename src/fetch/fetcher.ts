import type { FetchConfig, FetchRequest, FetchResult } from './types.ts';

export const DEFAULT_USER_AGENT = 'feedmirror/0.1 (+https://github.com/feedmirror/feedmirror)';

/** One per process: holds the connection pools and the politeness queues. */
export class Fetcher {
  constructor(readonly config: FetchConfig = {}) {}

  /** Never throws: every failure is described in `result.error`. */
  async fetch(req: FetchRequest): Promise<FetchResult> {
    return {
      ok: false, notModified: false, url: req.url, redirects: [], headers: {}, elapsedMs: 0,
      error: { kind: 'other', message: 'fetcher not implemented yet' },
    };
  }

  /** Closes pooled connections; pending fetches end as aborted. */
  async close(): Promise<void> {}
}
