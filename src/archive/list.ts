// The per-site index `lists/<site>.md`, byte for byte as the earlier tool wrote it:
//
//   美国之音
//   ------
//
//   7-18 [title](/articles/美国之音/1047781_title.md)
//
//   7-18 [title](/articles/美国之音/1047782_title.md)
//
//
//   [查看更多](/articles/美国之音)
//
// (no newline after the last line).

import { escapeTitle } from './format.ts';
import { encodeLinkSegment, siteDirName } from './names.ts';

export interface ListEntry {
  /** The item's file name inside the site directory. */
  file: string;
  title: string;
  time?: number;
}

export interface ListOptions {
  /** IANA time zone of the M-D dates (default Asia/Shanghai, as the earlier tool's GMT+8). */
  timeZone?: string;
  /** How many entries (default 300). */
  limit?: number;
  /** Label of the closing link to the site's directory (default 查看更多, "see more"); null for none. */
  more?: string | null;
  /** The heading (default: the site name), e.g. 美国之音 for a site kept under articles/voa. */
  heading?: string;
  /** Bound on directory names, as given to the Archive. */
  maxNameBytes?: number;
}

export const LIST_LIMIT = 300;

const formats = new Map<string, Intl.DateTimeFormat>();

/** M-D of a time in a time zone, e.g. 7-18. */
export function monthDay(time: number, timeZone = 'Asia/Shanghai'): string {
  let f = formats.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric', day: 'numeric' });
    } catch {
      throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
    }
    formats.set(timeZone, f);
  }
  const parts = f.formatToParts(time);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('month')}-${get('day')}`;
}

/** The link to an item file, as in the lists: /articles/<site dir>/<file>, percent-encoded. */
export function itemLink(dir: string, file: string): string {
  return `/articles/${encodeLinkSegment(dir)}/${encodeLinkSegment(file)}`;
}

/** The list file's text for a site; entries in the order given (newest first), cut to the limit. */
export function renderList(site: string, entries: readonly ListEntry[], opts: ListOptions = {}): string {
  const { timeZone = 'Asia/Shanghai', limit = LIST_LIMIT, more = '查看更多' } = opts;
  const dir = siteDirName(site, opts.maxNameBytes);
  const heading = (opts.heading ?? site).replace(/[\x00-\x1F\x7F]+/g, ' ').trim();
  const lines = entries.slice(0, Math.max(0, limit)).map((e) => {
    const date = e.time === undefined || !Number.isFinite(e.time) ? '' : `${monthDay(e.time, timeZone)} `;
    return `${date}[${escapeTitle(e.title)}](${itemLink(dir, e.file)})\n`;
  });
  const tail = more == null ? '' : `\n\n[${escapeTitle(more)}](/articles/${encodeLinkSegment(dir)})`;
  return `${heading}\n------\n\n${lines.join('\n')}${tail}`;
}
