// Step 6, always last: an allow-list sanitizer (sanitize-html, configured here).
// It re-serializes what it keeps; that is the price of knowing what a browser will see.
import sanitizeHtml from 'sanitize-html';
import { parseSrcset, serializeSrcset } from './urls.ts';
import { MAX_DEPTH, nestingDepth, plainText } from './html.ts';

export const ALLOWED_TAGS = [
  'p', 'br', 'a', 'img', 'figure', 'figcaption', 'picture', 'source', 'video', 'audio', 'iframe',
  'blockquote', 'q', 'cite', 'pre', 'code', 'kbd', 'samp', 'var',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd',
  'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'colgroup', 'col',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'em', 'strong', 'i', 'b', 'u', 's', 'del', 'ins', 'sub', 'sup', 'small', 'mark', 'abbr', 'time', 'wbr',
  'hr', 'div', 'span', 'section', 'article', 'aside', 'header', 'footer', 'details', 'summary',
  'ruby', 'rt', 'rp', 'rb',
];

const GLOBAL_ATTRS = ['title', 'lang', 'dir', 'style'];

export const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': GLOBAL_ATTRS,
  a: ['href', 'rel', 'target', 'hreflang'],
  img: ['src', 'srcset', 'sizes', 'alt', 'width', 'height', 'loading', 'decoding'],
  source: ['src', 'srcset', 'sizes', 'type', 'media', 'width', 'height'],
  video: ['src', 'poster', 'controls', 'width', 'height', 'preload', 'loop', 'muted', 'playsinline'],
  audio: ['src', 'controls', 'preload', 'loop', 'muted'],
  iframe: ['src', 'width', 'height', 'allowfullscreen', 'frameborder', 'loading', 'referrerpolicy', 'sandbox'],
  blockquote: ['cite'],
  q: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
  time: ['datetime'],
  ol: ['start', 'reversed', 'type'],
  li: ['value'],
  td: ['colspan', 'rowspan', 'headers', 'align', 'valign'],
  th: ['colspan', 'rowspan', 'headers', 'scope', 'align', 'valign'],
  col: ['span', 'width'],
  colgroup: ['span', 'width'],
  details: ['open'],
  p: ['align'],
  div: ['align'],
};

/** CSS properties kept in `style`; everything else (position, url(), expression()...) goes. */
export const ALLOWED_STYLES = new Set([
  'color', 'background-color', 'font-weight', 'font-style', 'font-size', 'text-decoration', 'text-align',
  'vertical-align', 'white-space', 'width', 'max-width', 'height', 'max-height',
]);

// A value made only of words, numbers, #hex, commas and rgb()/hsl() calls: no quotes,
// escapes, comments, url(), expression(), var() or at-rules can hide in it.
const SAFE_STYLE_VALUE = /^(?:[#\w\s.,%+-]|(?:rgba?|hsla?)\([\w\s.,%/+-]*\))*$/i;

/** The style attribute with only safe declarations; unchanged when it is already safe, '' when nothing is. */
export function filterStyle(style: string): string {
  const decls = style.split(';');
  const kept: string[] = [];
  let dropped = false;
  for (const decl of decls) {
    if (decl.trim() === '') continue;
    const colon = decl.indexOf(':');
    const prop = colon < 0 ? '' : decl.slice(0, colon).trim().toLowerCase();
    const value = colon < 0 ? '' : decl.slice(colon + 1).trim();
    if (ALLOWED_STYLES.has(prop) && value !== '' && SAFE_STYLE_VALUE.test(value) && !/\b(?:expression|url|javascript|behaviou?r|binding)\b/i.test(value)) {
      kept.push(`${prop}: ${value}`);
    } else {
      dropped = true;
    }
  }
  if (!dropped) return kept.length ? style : '';
  return kept.join('; ');
}

const RASTER_DATA = /^data:image\/(?:png|jpeg|jpg|gif|webp)(?:;[a-z0-9=._-]*)*(?:;base64)?,/i;
// Characters browsers drop from URLs; an attacker uses them to hide a scheme ("jav&#x09;ascript:").
const STRIPPED = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g;

/** A URL a reader may follow or load: http(s), mailto (links only), raster data: images (images only). */
export function safeUrl(value: string, kind: 'link' | 'image' | 'media'): boolean {
  const bare = value.replace(STRIPPED, '');
  if (bare === '') return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(bare);
  if (!scheme) {
    // Relative (no base to resolve against): fine unless it smuggles a backslash authority.
    return !/^[/\\]{2}/.test(bare) || /^\/\/[^\\]/.test(bare);
  }
  const s = scheme[1].toLowerCase();
  if (s === 'http' || s === 'https') return true;
  if (s === 'mailto') return kind === 'link';
  if (s === 'data') return kind === 'image' && RASTER_DATA.test(bare);
  return false;
}

/** Embedded players we allow, in their privacy-enhanced form; anything else is not embedded. */
export function embedUrl(src: string | undefined): string | undefined {
  if (!src) return undefined;
  let url: URL;
  try {
    url = new URL(src.replace(STRIPPED, ''), 'https://invalid.invalid/');
  } catch {
    return undefined;
  }
  if (url.hostname === 'invalid.invalid' || (url.protocol !== 'https:' && url.protocol !== 'http:')) return undefined;
  const host = url.hostname.toLowerCase().replace(/^www\.|^m\./, '');
  const keep = (names: string[], out: URL): void => {
    for (const n of names) {
      const v = url.searchParams.get(n);
      if (v !== null && /^[\w.-]{1,40}$/.test(v)) out.searchParams.set(n, v);
    }
  };
  if (host === 'youtube.com' || host === 'youtube-nocookie.com' || host === 'youtu.be') {
    const id =
      /^\/embed\/([\w-]{6,20})\/?$/.exec(url.pathname)?.[1] ??
      (host === 'youtu.be' ? /^\/([\w-]{6,20})\/?$/.exec(url.pathname)?.[1] : undefined) ??
      (url.pathname === '/watch' ? /^[\w-]{6,20}$/.exec(url.searchParams.get('v') ?? '')?.[0] : undefined);
    if (!id) return undefined;
    const out = new URL(`https://www.youtube-nocookie.com/embed/${id}`);
    keep(['start', 'end', 'list'], out);
    return out.href;
  }
  if (host === 'player.vimeo.com') {
    const id = /^\/video\/(\d{1,15})\/?$/.exec(url.pathname)?.[1];
    if (!id) return undefined;
    const out = new URL(`https://player.vimeo.com/video/${id}`);
    keep(['h'], out);
    out.searchParams.set('dnt', '1');
    return out.href;
  }
  if (host === 'player.bilibili.com' && (url.pathname === '/player.html' || url.pathname === '/blackboard/html5mobileplayer.html')) {
    const out = new URL('https://player.bilibili.com/player.html');
    keep(['aid', 'bvid', 'cid', 'page', 'p', 't'], out);
    if (!out.searchParams.has('aid') && !out.searchParams.has('bvid')) return undefined;
    out.searchParams.set('autoplay', '0');
    return out.href;
  }
  return undefined;
}

const LINK_RELS = new Set(['nofollow', 'ugc', 'sponsored', 'tag', 'author', 'license']);

type Attribs = Record<string, string>;

function checkUrls(tag: string, a: Attribs): void {
  const image = tag === 'img' || tag === 'source';
  for (const name of ['href', 'src', 'poster', 'cite']) {
    const v = a[name];
    if (v === undefined) continue;
    const kind = name === 'href' || name === 'cite' ? 'link' : image && name === 'src' ? 'image' : 'media';
    if (!safeUrl(v, name === 'poster' ? 'image' : kind)) delete a[name];
  }
  for (const name of ['srcset']) {
    const v = a[name];
    if (v === undefined) continue;
    const list = parseSrcset(v);
    const ok = list.filter((c) => safeUrl(c.url, 'image'));
    if (!ok.length) delete a[name];
    else if (ok.length !== list.length) a[name] = serializeSrcset(ok);
  }
}

function transform(tagName: string, attribs: Attribs): { tagName: string; attribs: Attribs } {
  const a: Attribs = { ...attribs };
  checkUrls(tagName, a);
  if (a.style !== undefined) {
    const style = filterStyle(a.style);
    if (style) a.style = style;
    else delete a.style;
  }
  switch (tagName) {
    case 'a': {
      if (a.href !== undefined) {
        const extra = (a.rel ?? '').toLowerCase().split(/\s+/).filter((r) => LINK_RELS.has(r));
        a.rel = ['noopener', 'noreferrer', ...extra].join(' ');
      } else {
        delete a.rel;
      }
      if (a.target !== undefined && a.target !== '_blank') delete a.target;
      break;
    }
    case 'iframe': {
      const src = embedUrl(attribs.src);
      if (!src) return { tagName, attribs: {} }; // dropped whole by exclusiveFilter
      const out: Attribs = { src, loading: 'lazy', allowfullscreen: '' };
      if (/^\d{1,4}%?$/.test(a.width ?? '')) out.width = a.width;
      if (/^\d{1,4}%?$/.test(a.height ?? '')) out.height = a.height;
      out.sandbox = 'allow-scripts allow-same-origin allow-popups allow-presentation';
      return { tagName, attribs: out };
    }
    case 'video':
    case 'audio':
      // Nothing is fetched from the origin until the reader presses play.
      a.preload = 'none';
      break;
    case 'img':
      break;
  }
  return { tagName, attribs: a };
}

// allowedEmptyAttributes is a sanitize-html option its typings lack.
const OPTIONS: sanitizeHtml.IOptions & { allowedEmptyAttributes: string[] } = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: ALLOWED_ATTRIBUTES,
  allowedEmptyAttributes: ['alt', 'allowfullscreen', 'controls', 'muted', 'loop', 'playsinline', 'reversed', 'open'],
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'poster', 'action', 'formaction', 'data', 'longdesc', 'background'],
  allowProtocolRelative: true,
  disallowedTagsMode: 'discard',
  // Void elements: without this sanitize-html writes `<source></source>`.
  selfClosing: ['img', 'br', 'hr', 'source', 'track', 'wbr', 'col', 'area', 'base', 'basefont', 'input', 'link', 'meta'],
  // Content of these is not text for a reader (or is markup a browser would parse differently): dropped whole.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'noembed', 'noframes', 'iframe', 'object', 'template', 'title', 'svg', 'math', 'select', 'head', 'frameset', 'applet'],
  parseStyleAttributes: false,
  transformTags: { '*': transform },
  // Renaming a tag to a disallowed one leaves stale state in sanitize-html, so elements
  // that lost what made them worth keeping are dropped here, content and all.
  exclusiveFilter: (frame) =>
    (frame.tag === 'iframe' && !frame.attribs.src) || (frame.tag === 'img' && !frame.attribs.src && !frame.attribs.srcset),
  enforceHtmlBoundary: false,
};

export function sanitize(html: string): string {
  // The same guard as cleanHtml's, for callers of the sanitizer alone.
  if (nestingDepth(html, MAX_DEPTH) > MAX_DEPTH) return plainText(html);
  return sanitizeHtml(html, OPTIONS);
}
