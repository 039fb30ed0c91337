// Scheduling: when each feed is due, and the cycle that fetches the due ones.
export { nextCheck, cacheLifetime, hintInterval, applySkips, changeInterval, DEFAULT_INTERVAL, type Hints, type NextCheck, type NextCheckInput } from './next.ts';
export {
  runCycle, checkFeed, dueFeeds,
  type CycleOptions, type CycleSummary, type FeedReport, type ParsedFeed, type DueFeed, type Outcome, type Log,
} from './cycle.ts';
