// DOM helpers over domhandler trees (htmlparser2): parsing, measuring and walking.
// Walks are iterative so that a pathologically deep page cannot overflow the stack.
import { parseDocument } from 'htmlparser2';
import { Element, Text, type AnyNode, type Document, type ParentNode } from 'domhandler';

export type { Element, Text, AnyNode, Document, ParentNode };

export function parseHtml(html: string): Document {
  return parseDocument(capDepth(html), { lowerCaseTags: true, lowerCaseAttributeNames: true, decodeEntities: true });
}

/** Deepest element nesting passed to the parser; real pages stay far below. */
export const MAX_DEPTH = 1000;
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(\/?)>/g;
const FLAT = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr', 'p', 'li', 'dt', 'dd', 'option', 'tr', 'td', 'th']);

/**
 * The parser's cost per tag grows with the nesting depth, so a hostile page of
 * 100,000 nested divs would take minutes: tags deeper than MAX_DEPTH are dropped
 * (their text stays). Pages that nest less are returned as they are.
 */
function capDepth(html: string): string {
  const stack: string[] = [];
  const cut: [number, number][] = [];
  const dropped = new Map<string, number>();
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    const name = m[2].toLowerCase();
    if (FLAT.has(name) || m[3]) continue;
    if (!m[1]) {
      if (stack.length >= MAX_DEPTH) { cut.push([m.index, m.index + m[0].length]); dropped.set(name, (dropped.get(name) ?? 0) + 1); }
      else stack.push(name);
      continue;
    }
    const d = dropped.get(name) ?? 0;
    if (d > 0) { cut.push([m.index, m.index + m[0].length]); dropped.set(name, d - 1); continue; }
    for (let i = stack.length - 1; i >= Math.max(0, stack.length - 50); i--) {
      if (stack[i] === name) { stack.length = i; break; }
    }
  }
  if (!cut.length) return html;
  let out = '';
  let at = 0;
  for (const [a, b] of cut) { out += html.slice(at, a); at = b; }
  return out + html.slice(at);
}

export const isElement = (n: AnyNode | null | undefined): n is Element => n instanceof Element;
export const isText = (n: AnyNode | null | undefined): n is Text => n instanceof Text;

/** Tags whose content starts on a new line. */
export const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'center', 'dd', 'details', 'dialog', 'dir', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr',
  'html', 'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th',
  'thead', 'tr', 'ul', 'caption', 'video', 'audio', 'picture', 'iframe', 'noscript', 'title', 'head',
]);

/** Han, kana and Hangul: scripts written without spaces, where one character carries about a word. */
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/;
const CJK_G = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/g;
const SPACE_G = /\s+/g;
/** Clause separators, Latin and CJK: Readability's comma count, extended to 。、；：？！ and friends. */
const COMMA_G = /[,\u060c\ufe50\ufe10\ufe11\u2e41\u2e34\u2e32\uff0c\u3001\u3002\uff1b\uff1a\uff1f\uff01]/g;

/** One CJK character weighs about as much as a short English word plus its space. */
export const CJK_WEIGHT = 3;

export interface Measure {
  /** Effective length: non-space characters, CJK ones counted CJK_WEIGHT times. */
  len: number;
  commas: number;
  cjk: number;
}

export function measure(s: string): Measure {
  if (!s) return { len: 0, commas: 0, cjk: 0 };
  const bare = s.replace(SPACE_G, '');
  const cjk = bare.match(CJK_G)?.length ?? 0;
  const commas = bare.match(COMMA_G)?.length ?? 0;
  return { len: bare.length + cjk * (CJK_WEIGHT - 1), commas, cjk };
}

export const hasCjk = (s: string): boolean => CJK.test(s);

/** Elements below root, document order (root excluded). */
export function elements(root: ParentNode): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [...root.children].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

export function byTag(root: ParentNode, names: string | Set<string>): Element[] {
  const match = typeof names === 'string' ? (n: string) => n === names : (n: string) => names.has(n);
  return elements(root).filter((e) => match(e.name));
}

/** Raw text content (no separators), for short things like titles. */
export function textOf(node: AnyNode, limit = Infinity): string {
  if (isText(node)) return node.data;
  if (!isElement(node) && !('children' in node)) return '';
  let out = '';
  const stack: AnyNode[] = [node];
  while (stack.length && out.length < limit) {
    const n = stack.pop()!;
    if (isText(n)) out += n.data;
    else if ('children' in n && (n === node || !isElement(n) || (n.name !== 'script' && n.name !== 'style'))) {
      const c = (n as ParentNode).children;
      for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]);
    }
  }
  return out;
}

export const squash = (s: string): string => s.replace(SPACE_G, ' ').trim();

export function remove(node: AnyNode): void {
  const parent = node.parent;
  if (!parent) return;
  const i = parent.children.indexOf(node as never);
  if (i >= 0) parent.children.splice(i, 1);
  if (node.prev) node.prev.next = node.next;
  if (node.next) node.next.prev = node.prev;
  node.parent = node.prev = node.next = null;
}

/** Replaces an element by its children. */
export function unwrap(el: Element): void {
  const parent = el.parent;
  if (!parent) return;
  const i = parent.children.indexOf(el);
  const kids = el.children;
  for (const k of kids) k.parent = parent;
  parent.children.splice(i, 1, ...kids);
  relink(parent);
  el.children = [];
  el.parent = el.prev = el.next = null;
}

export function relink(parent: ParentNode): void {
  const c = parent.children;
  for (let i = 0; i < c.length; i++) {
    c[i].prev = c[i - 1] ?? null;
    c[i].next = c[i + 1] ?? null;
    c[i].parent = parent;
  }
}

export function ancestors(node: AnyNode, max = Infinity): Element[] {
  const out: Element[] = [];
  let p = node.parent;
  while (p && isElement(p) && out.length < max) {
    out.push(p);
    p = p.parent;
  }
  return out;
}

export function attr(el: Element, name: string): string | undefined {
  return el.attribs[name];
}
