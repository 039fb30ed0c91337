// Step 2: lazy-loading attributes turned into real src/srcset.
import type { Doc } from './html.ts';

/** Where lazy loaders keep the real URL, most specific first. */
export const LAZY_SRC_ATTRS = [
  'data-src', 'data-original', 'data-lazy-src', 'data-actualsrc', 'data-lazyload', 'data-echo',
  'data-hi-res-src', 'data-original-src', 'data-full-src', 'data-url',
] as const;
export const LAZY_SRCSET_ATTRS = ['data-srcset', 'data-lazy-srcset', 'data-original-set'] as const;

const LAZY_TAGS = new Set(['img', 'source', 'iframe', 'video', 'audio']);

// Names lazy loaders give their stand-in images.
const PLACEHOLDER_NAME = /(?:^|[/_.-])(?:blank|spacer|pixel|placeholder|lazy|loading|loader|transparent|grey|gray|empty|1x1|clear|dot)(?:[_.-][^/]{0,40})?\.(?:gif|png|svg|jpe?g|webp)(?:[?#]|$)/i;

/** A src that is only there until a script swaps in the real one. */
export function isPlaceholderSrc(src: string | undefined): boolean {
  if (src === undefined) return true;
  const s = src.trim();
  if (s === '' || s === '#' || s === 'about:blank') return true;
  if (/^data:/i.test(s)) return true;
  // Placeholder names are short; a long URL is a real one (and is not regex-scanned).
  return s.length <= 2048 && PLACEHOLDER_NAME.test(s);
}

function plausibleUrl(v: string | undefined): v is string {
  if (v === undefined) return false;
  const s = v.trim();
  return s !== '' && !/^data:/i.test(s) && !/[{}<>]/.test(s) && !/\s/.test(s);
}

export function resolveLazy(doc: Doc): void {
  for (const el of doc.elements()) {
    if (!LAZY_TAGS.has(el.name)) continue;
    const a = el.attribs;
    const lazySrc = LAZY_SRC_ATTRS.find((n) => plausibleUrl(a[n]));
    if (lazySrc && isPlaceholderSrc(a.src)) {
      doc.setAttr(el, 'src', a[lazySrc].trim());
      doc.setAttr(el, lazySrc, null);
    }
    const lazySet = LAZY_SRCSET_ATTRS.find((n) => a[n] !== undefined && a[n].trim() !== '');
    if (lazySet && (a.srcset === undefined || a.srcset.trim() === '' || isPlaceholderSrc(a.srcset.trim().split(/\s/)[0]))) {
      doc.setAttr(el, 'srcset', a[lazySet].trim());
      doc.setAttr(el, lazySet, null);
    }
    if (el.name === 'video' && a['data-poster'] !== undefined && isPlaceholderSrc(a.poster)) {
      doc.setAttr(el, 'poster', a['data-poster'].trim());
      doc.setAttr(el, 'data-poster', null);
    }
  }
}
