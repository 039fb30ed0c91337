// The feed parser: bytes in, one Feed model out, for every feed format.
export type * from './model.ts';
export { parseFeed } from './feed.ts';
export { parseDate, parsePeriod } from './date.ts';
export { decode, pythonCodecName } from './encoding.ts';
export { fixC1 } from './cp1252.ts';
