// Publishing: the parsed model as JSON Feed, the mirror's items republished
// as RSS 2.0, Atom 1.0 and JSON Feed 1.1 (files or Fastify routes), and the
// archive files cleaned for serving (reader, sync APIs and feeds alike).
export { toJsonFeed, rfc3339, parseDuration, JSON_FEED_VERSION } from './jsonfeed.ts';
export type { JsonFeed, JsonFeedItem, JsonFeedAuthor, JsonFeedAttachment } from './jsonfeed.ts';
export { htmlToText, plainText, collapse } from './text.ts';
export {
  buildFeed, feedOf, selectRows, entryOf, etagOf, lastModifiedOf, clampLimit, saveSearch, deleteSearch, savedSearches,
  categories, sites, selectionId, selectionTitle, xmlText, FeedError, DEFAULT_LIMIT, MAX_LIMIT,
  type Selection, type FeedDoc, type FeedEntry, type FeedOptions, type Row,
} from './feeds.ts';
export { Served, Lru, type ServedOptions, type ServedRef } from './served.ts';
export { toRss, rfc822, RSS_TYPE } from './rss.ts';
export { toAtom, ATOM_TYPE } from './atom.ts';
export { toJson, JSON_TYPE } from './json.ts';
export { render, splitFile, FORMATS, CONTENT_TYPES, type FeedFormat } from './formats.ts';
export { registerFeedRoutes, notModified, type FeedRouteDeps } from './routes.ts';
export { feedKey, currentFeedKey, replaceFeedKey, isFeedKey, withKey, redactKey, feedLinks, KEY_PARAM, type FeedLink } from './key.ts';
