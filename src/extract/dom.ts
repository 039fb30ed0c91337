// DOM helpers over domhandler trees (htmlparser2): parsing, measuring and walking.
// Walks are iterative so that a pathologically deep page cannot overflow the stack.
import { Parser } from 'htmlparser2';
import { DomHandler, Element, Text, type AnyNode, type Document, type ParentNode } from 'domhandler';

export type { Element, Text, AnyNode, Document, ParentNode };

const PARSE = { lowerCaseTags: true, lowerCaseAttributeNames: true, decodeEntities: true };
const TOO_DEEP = new Error('too deep');

/** Stops the parse as soon as the nesting passes MAX_DEPTH. */
class DepthGuard extends DomHandler {
  override onopentag(name: string, attribs: Record<string, string>): void {
    if (this.tagStack.length > MAX_DEPTH) throw TOO_DEEP;
    super.onopentag(name, attribs);
  }
}

export function parseHtml(html: string): Document {
  const handler = new DepthGuard();
  try {
    new Parser(handler, PARSE).end(html);
    return handler.root;
  } catch (e) {
    if (e !== TOO_DEEP) throw e;
  }
  const flat = new DomHandler();
  new Parser(flat, PARSE).end(capDepth(html));
  return flat.root;
}

/** Deepest element nesting passed to the parser; real pages stay far below. */
export const MAX_DEPTH = 1000;
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/g;
const FLAT = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr', 'p', 'li', 'dt', 'dd', 'option', 'tr', 'td', 'th']);

/**
 * The parser's cost per tag grows with the nesting depth, so a hostile page of
 * 100,000 nested divs would take minutes: for a page found to nest deeper than
 * MAX_DEPTH, tags beyond that depth are dropped (their text stays) and it is parsed again.
 */
function capDepth(html: string): string {
  const stack: string[] = [];
  const cut: [number, number][] = [];
  const dropped = new Map<string, number>();
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    const name = m[2].toLowerCase();
    if (FLAT.has(name)) continue;
    const tagEnd = () => { const e = html.indexOf('>', m.index); return e < 0 ? html.length : e + 1; };
    if (!m[1]) {
      if (stack.length >= MAX_DEPTH) { cut.push([m.index, tagEnd()]); dropped.set(name, (dropped.get(name) ?? 0) + 1); }
      else stack.push(name);
      continue;
    }
    const d = dropped.get(name) ?? 0;
    if (d > 0) { cut.push([m.index, tagEnd()]); dropped.set(name, d - 1); continue; }
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
const SPACE_G = /\s+/g;

/** One CJK character weighs about as much as a short English word plus its space. */
export const CJK_WEIGHT = 3;

export interface Measure {
  /** Effective length: non-space characters, CJK ones counted CJK_WEIGHT times. */
  len: number;
  /** Clause separators, Latin and CJK: Readability's comma count, extended to 。、；：？！. */
  commas: number;
  cjk: number;
}

export function measure(s: string): Measure {
  let len = 0;
  let cjk = 0;
  let commas = 0;
  // One pass without allocation: this runs on every text node of every page.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200b) || c === 0x85 || c === 0x1680 || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0xfeff) continue;
    len++;
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff)) cjk++;
    else if (c === 0x2c || c === 0xff0c || c === 0x3001 || c === 0x3002 || c === 0xff1b || c === 0xff1a || c === 0xff1f || c === 0xff01
      || c === 0x060c || c === 0xfe50 || c === 0xfe10 || c === 0xfe11 || c === 0x2e41 || c === 0x2e34 || c === 0x2e32) commas++;
  }
  return { len: len + cjk * (CJK_WEIGHT - 1), commas, cjk };
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
