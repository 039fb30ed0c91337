// Subscriptions: which feeds to follow, how to fetch each, and OPML in and out.
export { normalizeUrl, looksLikeUrl } from './url.ts';
export { readOpml, writeOpml, type OpmlDocument, type OpmlFeed } from './opml.ts';
export { importOpml, exportOpml, type ImportResult } from './transfer.ts';
export { discover, feedLinks, sniffFeed, COMMON_PATHS, type Discovery, type Candidate, type FeedKind } from './discover.ts';
export {
  addSubscription, removeSubscription, updateSubscription, listSubscriptions, getSubscription,
  findSubscriptions, resolveSubscription, parseHeader, checkHeaders, FULLTEXT_MODES,
  type Subscription, type SubscriptionStatus, type SubscriptionSettings, type FetchSettings,
} from './subscriptions.ts';
