// Step 5: image URLs rewritten, so readers load images through a proxy, our own
// signed endpoint (proxy.ts) or archived copies (assets.ts). Each mode is an ImageRewriter.
import type { Element } from 'domhandler';
import { Doc } from './html.ts';
import { DEFAULT_PREFIX, signImageUrl } from './proxy.ts';
import { mapSrcset } from './urls.ts';

/** Turns one absolute image URL into the URL readers should load (or returns it unchanged). */
export interface ImageRewriter {
  rewrite(url: string): string;
}

export type ImageOptions =
  | { mode: 'none' }
  | { mode: 'template'; template: string }
  /** Our own endpoint: `<prefix>/<hmac>/<base64url(url)>`; prefix default `/img`, absolute (`https://host/img`) for feeds read elsewhere. */
  | { mode: 'proxy'; secret: string; prefix?: string }
  /**
   * Images are downloaded when an item is written (localizeImages). On the way out,
   * `assetsUrl` (e.g. `/assets` in the reader, `https://mirror.example/assets` in feeds)
   * replaces the item-relative `../../assets/`; without it nothing is rewritten.
   */
  | { mode: 'archive'; assetsUrl?: string }
  | { mode: 'custom'; rewriter: ImageRewriter };

export type ImageMode = 'none' | 'template' | 'proxy' | 'archive';

/** The config file's `images` object (validated by the config loader; see imageOptions in proxy.ts). */
export interface ImagesSettings {
  mode: ImageMode;
  template?: string;
  proxy: {
    /** HMAC key; default: generated into `<dataDir>/image-proxy.secret`. */
    secret?: string;
    /** Where the server mounts the handler, or an absolute URL of it. */
    prefix: string;
    /** Default `<dataDir>/image-cache`. */
    cacheDir?: string;
    cacheMaxBytes: number;
    /** Cap on one image (proxy and archive mode). */
    maxBytes: number;
    /** Host suffix → Referer to send ('' = none), over the built-in rules. */
    referers: Record<string, string>;
  };
}

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

/** Absolute http(s) image URLs to `<prefix>/<hmac>/<base64url(url)>`; anything else (relative, data:, already ours) kept. */
export function proxyRewriter(secret: string, prefix: string = DEFAULT_PREFIX): ImageRewriter {
  if (typeof secret !== 'string' || secret.length < 16) throw new Error('image proxy: the secret needs at least 16 characters');
  const base = prefix.replace(/\/+$/, '');
  if (!/^(\/[^/\\]|https?:\/\/[^/]+\/?)/i.test(`${base}/`)) throw new Error(`image proxy prefix must be a path like /img or an absolute http(s) URL: ${prefix}`);
  return {
    rewrite(original: string): string {
      const url = original.startsWith('//') ? `https:${original}` : original;
      if (url.startsWith(`${base}/`)) return original;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return original;
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return original;
      return signImageUrl(url, secret, base);
    },
  };
}

const ASSET_REF = /^(?:\.\.\/)+assets\/([0-9a-f]{2}\/[0-9a-f]{64}\.[a-z]{3,4})$/;

/** Item-relative asset paths (`../../assets/ab/<sha256>.jpg`) to `<assetsUrl>/ab/<sha256>.jpg`. */
export function assetsRewriter(assetsUrl: string): ImageRewriter {
  const base = assetsUrl.replace(/\/+$/, '');
  if (!/^(\/[^/\\]|https?:\/\/[^/]+\/?)/i.test(`${base}/`)) throw new Error(`assets URL must be a path like /assets or an absolute http(s) URL: ${assetsUrl}`);
  return {
    rewrite(url: string): string {
      const m = ASSET_REF.exec(url);
      return m ? `${base}/${m[1]}` : url;
    },
  };
}

export function imageRewriter(options: ImageOptions | undefined): ImageRewriter | undefined {
  if (!options || options.mode === 'none') return undefined;
  if (options.mode === 'archive') return options.assetsUrl === undefined ? undefined : assetsRewriter(options.assetsUrl);
  if (options.mode === 'template') return templateRewriter(options.template);
  if (options.mode === 'proxy') return proxyRewriter(options.secret, options.prefix);
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

/**
 * The one rewrite used wherever content leaves feedmirror (archive, reader,
 * republished feeds, APIs): template and proxy modes here, synchronously; archive
 * mode rewrites nothing here (localizeImages did it when the item was written).
 * Only the image attributes change; every other byte stays.
 */
export function rewriteImages(html: string, options: ImageOptions | undefined): string;
/** The cleaning step's form: edits a parsed Doc in place. */
export function rewriteImages(doc: Doc, rewriter: ImageRewriter | undefined): void;
export function rewriteImages(input: Doc | string, how: ImageOptions | ImageRewriter | undefined): string | void {
  if (typeof input === 'string') {
    const rewriter = imageRewriter(how as ImageOptions | undefined);
    if (!rewriter) return input;
    const doc = new Doc(input);
    rewriteDoc(doc, rewriter);
    return doc.toString();
  }
  rewriteDoc(input, how as ImageRewriter | undefined);
}

function rewriteDoc(doc: Doc, rewriter: ImageRewriter | undefined): void {
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
  rewriteDoc(new Doc(html), rec);
  return [...new Set(seen)];
}
