// The web reader's server: startServer() serves it beside the mirror (feedmirror run).
export { buildServer, startServer, serverSettings, safeBack, imageSources, type ServerOptions, type ServerHandle, type ImageProxyRequest } from './app.ts';
export { Auth, hashPassword, verifyPassword } from './auth.ts';
export { Reader, parseCursor, formatCursor, textOf, PAGE_SIZE, type Scope, type Cursor, type ListItem, type Page, type Article, type SiteCount } from './reader.ts';
export { Metrics } from './metrics.ts';
