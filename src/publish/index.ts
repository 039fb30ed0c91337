// Publishing the parsed model in other formats (JSON Feed now; republished feeds reuse this).
export { toJsonFeed, rfc3339, parseDuration, JSON_FEED_VERSION } from './jsonfeed.ts';
export type { JsonFeed, JsonFeedItem, JsonFeedAuthor, JsonFeedAttachment } from './jsonfeed.ts';
export { htmlToText, plainText, collapse } from './text.ts';
