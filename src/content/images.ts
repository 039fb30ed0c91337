// Step 5: image URLs rewritten, so readers load images through a proxy (or, later,
// our own signed endpoint or archived copies). Each mode is an ImageRewriter.
import type { Element } from 'domhandler';
import { Doc } from './html.ts';
import { mapSrcset } from './urls.ts';

/** Turns one absolute image URL into the URL readers should load (or returns it unchanged). */
export interface ImageRewriter {
  rewrite(url: string): string;
}

export type ImageOptions =
  | { mode: 'none' }
  | { mode: 'template'; template: string }
  /** For the `proxy` (signed endpoint) and `archive` (downloaded assets) modes, which bring their own rewriter. */
  | { mode: 'custom'; rewriter: ImageRewriter };

export const PLACEHOLDERS = ['{url}', '{url_encoded}', '{url_noscheme}', '{url_base64}'] as const;

function base64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A template rewriter: `{url}` the full URL, `{url_encoded}` it percent-encoded,
 * `{url_noscheme}` host+path+query without `scheme://`, `{url_base64}` base64url.
 * URLs already on the template's host are left alone, so rewriting twice is a no-op.
 */
export function templateRewriter(template: string): ImageRewriter {
  if (!PLACEHOLDERS.some((p) => template.includes(p))) {
    throw new Error(`image template needs one of ${PLACEHOLDERS.join(', ')}: ${template}`);
  }
  let host: string;
  try {
    const probe = new URL(template.replace(/\{[a-z_0-9]+\}/g, 'x'));
    if (probe.protocol !== 'https:' && probe.protocol !== 'http:') throw new Error('not http(s)');
    host = probe.host;
  } catch {
    throw new Error(`image template must be an absolute http(s) URL: ${template}`);
  }
  return {
    rewrite(original: string): string {
      // Protocol-relative (no base to resolve it): the reader's page is https, so is the image.
      const url = original.startsWith('//') ? `https:${original}` : original;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return original;
      }
      if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.host === host) return original;
      const noscheme = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
      return template
        .replace(/\{url_encoded\}/g, encodeURIComponent(url))
        .replace(/\{url_noscheme\}/g, noscheme)
        .replace(/\{url_base64\}/g, base64url(url))
        .replace(/\{url\}/g, url);
    },
  };
}

export function imageRewriter(options: ImageOptions | undefined): ImageRewriter | undefined {
  if (!options || options.mode === 'none') return undefined;
  if (options.mode === 'template') return templateRewriter(options.template);
  if (options.mode === 'custom') return options.rewriter;
  throw new Error(`unknown image mode: ${(options as { mode: unknown }).mode}`);
}

/** The image-bearing attributes: img src/srcset, picture source srcset, video poster. */
function imageAttrs(el: Element): { src: string[]; srcset: string[] } {
  if (el.name === 'img') return { src: ['src'], srcset: ['srcset'] };
  if (el.name === 'source' && (el.parent as Element | null)?.name === 'picture') return { src: [], srcset: ['srcset'] };
  if (el.name === 'video') return { src: ['poster'], srcset: [] };
  return { src: [], srcset: [] };
}

export function rewriteImages(doc: Doc, rewriter: ImageRewriter | undefined): void {
  if (!rewriter) return;
  const one = (u: string): string => rewriter.rewrite(u);
  for (const el of doc.elements()) {
    const { src, srcset } = imageAttrs(el);
    for (const name of src) {
      const v = el.attribs[name];
      if (v !== undefined && v.trim() !== '') doc.setAttr(el, name, one(v.trim()) === v.trim() ? v : one(v.trim()));
    }
    for (const name of srcset) {
      const v = el.attribs[name];
      if (v !== undefined) doc.setAttr(el, name, mapSrcset(v, one));
    }
  }
}

/** Every image URL the rewriter would see, e.g. for an archiver to download first. */
export function imageUrls(html: string): string[] {
  const seen: string[] = [];
  const rec: ImageRewriter = { rewrite: (u) => (seen.push(u), u) };
  rewriteImages(new Doc(html), rec);
  return [...new Set(seen)];
}
