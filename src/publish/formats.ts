// The three republished formats by file extension.
import { ATOM_TYPE, toAtom } from './atom.ts';
import type { FeedDoc } from './feeds.ts';
import { JSON_TYPE, toJson } from './json.ts';
import { RSS_TYPE, toRss } from './rss.ts';

export type FeedFormat = 'rss' | 'atom' | 'json';
export const FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];

export const CONTENT_TYPES: Record<FeedFormat, string> = { rss: RSS_TYPE, atom: ATOM_TYPE, json: JSON_TYPE };

export function render(doc: FeedDoc, format: FeedFormat): string {
  return format === 'rss' ? toRss(doc) : format === 'atom' ? toAtom(doc) : toJson(doc);
}

/** "name.rss" -> ["name", "rss"]; undefined for other extensions. */
export function splitFile(file: string): [string, FeedFormat] | undefined {
  const m = /^(.+)\.(rss|atom|json)$/.exec(file);
  return m ? [m[1], m[2] as FeedFormat] : undefined;
}
