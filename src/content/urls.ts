// Step 1: relative URLs made absolute against the item link; empty anchors dropped.
import type { Element } from 'domhandler';
import type { Doc } from './html.ts';

/** Attributes holding one URL. Lazy-loading `data-*` ones included, so step 2 finds them absolute. */
export const URL_ATTRS = [
  'href', 'src', 'poster', 'cite', 'longdesc', 'background', 'action', 'formaction', 'data', 'usemap',
  'data-src', 'data-original', 'data-lazy-src', 'data-actualsrc', 'data-lazyload', 'data-echo',
  'data-hi-res-src', 'data-original-src', 'data-url', 'data-poster', 'data-full-src',
] as const;

/** Attributes holding a srcset (candidate list). */
export const SRCSET_ATTRS = ['srcset', 'imagesrcset', 'data-srcset', 'data-lazy-srcset', 'data-original-set'] as const;

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
// Characters the URL parser strips or ignores; a scheme hidden behind them still counts.
const IGNORED = /[\u0000-\u0020\u007f-\u009f]/g;

/** The URL made absolute, or the input unchanged when it already is, is a fragment, or cannot be resolved. */
export function absolutize(value: string, base: string | URL | undefined): string {
  if (!base) return value;
  const bare = value.replace(IGNORED, '');
  if (bare === '' || bare.startsWith('#') || SCHEME.test(bare)) return value;
  try {
    return new URL(value.trim(), base).href;
  } catch {
    return value;
  }
}

export interface SrcsetCandidate {
  url: string;
  descriptor: string;
}

/** Splits a srcset per the HTML spec (URLs may contain commas; a comma ends a URL only at its end). */
export function parseSrcset(value: string): SrcsetCandidate[] {
  const out: SrcsetCandidate[] = [];
  let i = 0;
  const n = value.length;
  const ws = /[\t\n\f\r ]/;
  while (i < n) {
    while (i < n && (ws.test(value[i]) || value[i] === ',')) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && !ws.test(value[j])) j++;
    let url = value.slice(i, j);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
      i = j;
    } else {
      let k = j;
      let paren = false;
      while (k < n) {
        const c = value[k];
        if (c === '(') paren = true;
        else if (c === ')') paren = false;
        else if (c === ',' && !paren) break;
        k++;
      }
      descriptor = value.slice(j, k).trim();
      i = k + 1;
    }
    if (url) out.push({ url, descriptor });
  }
  return out;
}

export function serializeSrcset(list: SrcsetCandidate[]): string {
  return list.map((c) => (c.descriptor ? `${c.url} ${c.descriptor}` : c.url)).join(', ');
}

/** Maps every URL of a srcset; returns the input unchanged when no URL changes. */
export function mapSrcset(value: string, fn: (url: string) => string): string {
  const list = parseSrcset(value);
  let changed = false;
  const mapped = list.map((c) => {
    const url = fn(c.url);
    if (url !== c.url) changed = true;
    return { url, descriptor: c.descriptor };
  });
  return changed ? serializeSrcset(mapped) : value;
}

const MEDIA = new Set(['img', 'picture', 'video', 'audio', 'iframe', 'svg', 'object', 'embed', 'canvas', 'source']);

/**
 * A link with nothing to see or click: no text, no media. An id or name does not save
 * it: the sanitizer drops those (DOM clobbering), so it could not be a landing point.
 */
export function isEmptyAnchor(doc: Doc, el: Element): boolean {
  if (el.name !== 'a' || el.attribs.href === undefined) return false;
  if (doc.text(el).replace(/[\s\u00a0\u200b]+/g, '') !== '') return false;
  const stack = [...el.children];
  while (stack.length) {
    const n = stack.pop()!;
    if ('name' in n && MEDIA.has((n as Element).name)) return false;
    if ('children' in n) stack.push(...(n as Element).children);
  }
  return true;
}

export function absolutizeUrls(doc: Doc, base: string | undefined): void {
  for (const el of doc.elements()) {
    if (isEmptyAnchor(doc, el)) {
      doc.remove(el);
      continue;
    }
    if (!base) continue;
    for (const name of URL_ATTRS) {
      const v = el.attribs[name];
      if (v !== undefined) doc.setAttr(el, name, absolutize(v, base));
    }
    for (const name of SRCSET_ATTRS) {
      const v = el.attribs[name];
      if (v !== undefined) doc.setAttr(el, name, mapSrcset(v, (u) => absolutize(u, base)));
    }
  }
}
