// A real HTTP server on 127.0.0.1 for tests; records every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  url: string;
  /** Request paths, in arrival order. */
  hits: string[];
  requests: IncomingMessage[];
  close(): Promise<void>;
}

export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  const hits: string[] = [];
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    requests,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

export const rss = (title: string, items: { title: string; date?: Date }[] = [], extra = ''): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${title}</title><link>https://example.org/</link>${extra}
${items.map((i, n) => `<item><title>${i.title}</title><guid>id-${n}</guid>${i.date ? `<pubDate>${i.date.toUTCString()}</pubDate>` : ''}</item>`).join('\n')}
</channel></rss>`;
