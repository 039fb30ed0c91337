// feedmirror's parser as a peer of ../shared/bench/feeds/run-peers.mjs (adapter interface of its
// README, section 4). Runs the compiled parser: `npm run build` first (bench:parse does).
import { readFileSync } from 'node:fs';
import { parseFeed } from '../dist/parse/index.js';
import { htmlToText } from '../dist/publish/index.js';

export const name = 'feedmirror';
export const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
// The parser decodes the bytes itself (BOM, HTTP charset, XML declaration, sniffing).
export const input = 'bytes';

/** @param {Uint8Array} bytes */
export function parse(bytes) {
  const feed = parseFeed(bytes);
  return {
    items: feed.items.map((it) => ({
      // The harness wants entity-decoded plain text; HTML titles are reduced the way `parse` output does.
      title: it.title === undefined ? undefined : it.title.type === 'text' ? it.title.value : htmlToText(it.title.value),
      link: it.link,
    })),
  };
}
