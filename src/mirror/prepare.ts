// A parsed feed item as the mirror sees it: its dedupe keys, its title and URL
// exactly as they will read back from the archive file, and its raw HTML.
import { createHash } from 'node:crypto';
import { decodeHTML } from 'entities';
import type { Item, Text } from '../parse/index.ts';
import { escapeTitle, escapeUrl, htmlLine, unescapeTitle, unescapeUrl } from '../archive/index.ts';
import { normalizeLink, stripTracking } from '../content/index.ts';

export interface Prepared {
  guid?: string;
  /** Normalized link: the dedupe key. */
  link?: string;
  /** The URL as the file will give it back. */
  url: string;
  /** The title as the file will give it back. */
  title: string;
  /** The feed's HTML before cleaning. */
  raw: string;
  /** Hash of the raw title, URL and HTML: a repeat is recognized without cleaning. */
  sourceHash: string;
  published?: number;
  updated?: number;
}

export function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 32);
}

/** The hash of an archived version: what a revision compares. */
export function contentHash(title: string, html: string): string {
  return hash(title, htmlLine(html));
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A text construct as HTML: plain text is escaped, paragraphs kept. */
export function textHtml(t: Text | undefined): string {
  if (!t) return '';
  if (t.type !== 'text') return t.value;
  return t.value.trim().split(/\n\s*\n/).filter((p) => p.trim()).map((p) => `<p>${esc(p.trim()).replace(/\n/g, '<br>')}</p>`).join('');
}

/** A text construct as plain text: tags dropped and entities decoded for HTML titles. */
export function plainText(t: Text | undefined): string {
  if (!t) return '';
  if (t.type === 'text') return t.value;
  return decodeHTML(t.value.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, ''));
}

function httpUrl(s: string | undefined): string | undefined {
  if (!s) return undefined;
  try {
    const u = new URL(s.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** The dedupe keys and archive fields of one item. */
export function prepare(item: Item): Prepared {
  const raw = item.content[0] ? textHtml(item.content[0]) : textHtml(item.summary);
  // The archived URL without campaign parameters: a reader behind a firewall gains nothing from them.
  const url0 = stripTracking(httpUrl(item.link) ?? (item.guidIsPermalink !== false ? httpUrl(item.guid) : undefined) ?? '');
  const url = unescapeUrl(escapeUrl(url0));
  let title = unescapeTitle(escapeTitle(plainText(item.title)));
  if (!title) {
    // An untitled item (a microblog post) is listed by the start of its text.
    const text = decodeHTML(raw.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
    title = unescapeTitle(escapeTitle(Array.from(text).slice(0, 60).join('')));
  }
  const guid = item.guid?.trim() || undefined;
  const link = url0 ? normalizeLink(url0) : undefined;
  return { guid, link, url, title, raw, sourceHash: hash(title, url, raw), published: item.published, updated: item.updated };
}
