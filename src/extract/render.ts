// Output of the picked body: block-separated text (so CJK clauses stay apart) and HTML.
import { BLOCK, isElement, isText, type AnyNode, type Element } from './dom.ts';

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const SPACES = /[ \t\n\r\f\u00a0\u3000]+/g;

export function renderText(parts: AnyNode[], drop: Set<Element>): string {
  const out: string[] = [];
  const stack: (AnyNode | '\n' | 'pre-end')[] = [...parts].reverse();
  let pre = 0;
  while (stack.length) {
    const n = stack.pop()!;
    if (n === '\n') { out.push('\n'); continue; }
    if (n === 'pre-end') { pre--; continue; }
    if (isText(n)) { out.push(pre ? n.data : n.data.replace(SPACES, ' ')); continue; }
    if (!isElement(n) || drop.has(n)) continue;
    if (n.name === 'br' || n.name === 'hr') { out.push('\n'); continue; }
    const block = BLOCK.has(n.name);
    if (block) { out.push('\n'); stack.push('\n'); }
    if (n.name === 'pre') { pre++; stack.push('pre-end'); }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return tidy(out.join(''));
}

export function tidy(text: string): string {
  return text.split('\n').map((l) => l.replace(/^[ \t\u00a0\u3000]+|[ \t\u00a0\u3000]+$/g, '')).filter((l) => l.length).join('\n');
}

const LAZY = ['data-src', 'data-original', 'data-lazy-src', 'data-actualsrc', 'data-url', 'data-echo', 'data-lazyload', 'file', 'data-original-src'];
const PLACEHOLDER = /^data:|blank|loading|lazy|placeholder|grey\.gif|spacer|pixel\.gif/i;

/** The real image address of a lazy-loaded img, if it has one. */
export function imageSrc(img: Element): string | undefined {
  const src = img.attribs.src;
  if (src && !PLACEHOLDER.test(src)) return src;
  for (const a of LAZY) { const v = img.attribs[a]; if (v && !v.startsWith('data:')) return v; }
  const set = img.attribs['data-srcset'] ?? img.attribs.srcset;
  if (set) return set.trim().split(/\s+/)[0];
  return src || undefined;
}

export function resolve(href: string, base: string | undefined): string {
  if (!base) return href;
  try { return new URL(href.trim(), base).href; } catch { return href; }
}

/**
 * Whether a (resolved) URL may stay: no script schemes, also when hidden with the
 * tabs, newlines and control characters that URL parsers strip.
 */
export function safeUrl(url: string, attr = 'href'): boolean {
  const bare = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const scheme = bare.match(/^([a-z][a-z0-9+.-]*):/)?.[1];
  if (!scheme) return true;
  if (scheme === 'data') return attr === 'src' && /^data:image\/(png|jpe?g|gif|webp|avif);/.test(bare);
  return ['http', 'https', 'mailto', 'tel', 'ftp'].includes(scheme);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const URL_ATTRS = new Set(['href', 'src', 'poster', 'cite']);

/**
 * Serializes the picked nodes, dropping boilerplate, scripting attributes and
 * inline styles; relative URLs are resolved against base and lazy images get their src.
 */
export function renderHtml(parts: AnyNode[], drop: Set<Element>, base: string | undefined): string {
  let out = '';
  const stack: (AnyNode | string)[] = [...parts].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (typeof n === 'string') { out += n; continue; }
    if (isText(n)) { out += esc(n.data); continue; }
    if (!isElement(n) || drop.has(n)) continue;
    let attrs = '';
    const a = { ...n.attribs };
    if (n.name === 'img') {
      const src = imageSrc(n);
      if (src) a.src = src;
      for (const k of LAZY) delete a[k];
      delete a.srcset; delete a['data-srcset'];
    }
    for (const [k, v] of Object.entries(a)) {
      if (k.startsWith('on') || k === 'style' || !/^[a-z_:][-a-z0-9_:.]*$/.test(k)) continue;
      let val = v;
      if (URL_ATTRS.has(k)) {
        val = resolve(val, base);
        if (!safeUrl(val, k)) continue;
      }
      attrs += ` ${k}="${escAttr(val)}"`;
    }
    out += `<${n.name}${attrs}>`;
    if (VOID.has(n.name)) continue;
    stack.push(`</${n.name}>`);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}
