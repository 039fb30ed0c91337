// The feed parser: bytes in, one Feed model out, for every feed format.
export type * from './model.ts';
export { parseFeed } from './feed.ts';
export { parseDate } from './date.ts';
export { decode } from './encoding.ts';
