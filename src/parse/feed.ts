import type { Feed, ParseOptions } from './model.ts';

export function parseFeed(bytes: Uint8Array, options: ParseOptions = {}): Feed {
  throw new Error('not implemented yet');
}
