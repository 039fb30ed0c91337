// A parsed HTML fragment that is edited in place: every change is recorded as a
// splice of the original text, so whatever no step touches comes out byte for
// byte as it came in (no re-serialization before the sanitizer).
import { Parser, type ParserOptions } from 'htmlparser2';
import { DomHandler, Element, type ChildNode, type Document, type ParentNode } from 'domhandler';

const PARSER_OPTIONS: ParserOptions = {
  decodeEntities: true,
  lowerCaseTags: true,
  lowerCaseAttributeNames: true,
  recognizeSelfClosing: false,
};

class Handler extends DomHandler {
  readonly openEnd = new Map<Element, number>();
  private p: Parser | null = null;

  constructor() {
    super(undefined, { withStartIndices: true, withEndIndices: true });
  }

  override onparserinit(parser: Parser): void {
    super.onparserinit(parser);
    this.p = parser;
  }

  override onopentag(name: string, attribs: Record<string, string>): void {
    super.onopentag(name, attribs);
    const el = this.tagStack[this.tagStack.length - 1];
    // Right after the open tag, the parser's endIndex is the tag's closing '>'.
    if (el instanceof Element && this.p) this.openEnd.set(el, this.p.endIndex);
  }
}

/** Where one attribute sits inside its start tag (offsets into the source). */
interface AttrSpan {
  name: string;
  start: number;
  end: number;
}

type AttrChange = Map<string, string | null>;

export class Doc {
  readonly root: Document;
  private readonly openEnd: Map<Element, number>;
  /** Removed source ranges [start, end], sorted and disjoint. */
  private readonly ranges: [number, number][] = [];
  private readonly attrChanges = new Map<Element, AttrChange>();

  constructor(readonly src: string) {
    const handler = new Handler();
    const parser = new Parser(handler, PARSER_OPTIONS);
    parser.end(src);
    this.root = handler.root;
    this.openEnd = handler.openEnd;
    this.fixEnds(this.root, src.length - 1);
  }

  // htmlparser2 ends an implicitly closed element (`<p>a<p>b`) at whatever token
  // closed it; clamp such ends to the element's real extent so removals stay exact.
  // Iterative, like every walk here: feeds do nest 100 000 deep.
  private fixEnds(root: ParentNode, limit: number): void {
    const stack: [ParentNode, number][] = [[root, limit]];
    while (stack.length) {
      const [parent, lim] = stack.pop()!;
      const kids = parent.children;
      for (let k = 0; k < kids.length; k++) {
        const node = kids[k];
        const next = kids[k + 1];
        const bound = next?.startIndex != null ? next.startIndex - 1 : lim;
        if (node.endIndex == null || node.endIndex > bound) node.endIndex = bound;
        if (!(node instanceof Element)) continue;
        const end = node.endIndex;
        let inner = end;
        // An explicit end tag is the element's last token: `</name ...>` ending right at `end`.
        if (this.src[end] === '>') {
          // The last tag's '<' (an end tag holds no other '<'), found without scanning far back.
          const lt = this.src.lastIndexOf('<', end);
          if (this.src[lt + 1] === '/' && lt > (this.openEnd.get(node) ?? -1) && this.src.indexOf('>', lt) === end &&
            this.src.slice(lt + 2, lt + 2 + node.name.length).toLowerCase() === node.name) inner = lt - 1;
        }
        stack.push([node, inner]);
      }
    }
  }

  get changed(): boolean {
    return this.ranges.length > 0 || this.attrChanges.size > 0;
  }

  /** Every element in document order (removed ones included; check `isRemoved`). */
  elements(): Element[] {
    const out: Element[] = [];
    const stack: ChildNode[] = [...this.root.children].reverse();
    while (stack.length) {
      const node = stack.pop()!;
      if (!(node instanceof Element)) continue;
      out.push(node);
      for (let k = node.children.length - 1; k >= 0; k--) stack.push(node.children[k]);
    }
    return out;
  }

  /** True when the node or an ancestor was removed: a binary search in the removed source ranges. */
  isRemoved(node: ChildNode): boolean {
    const at = node.startIndex;
    if (at == null || this.ranges.length === 0) return false;
    const i = this.rangeBefore(at);
    return i >= 0 && this.ranges[i][1] >= at;
  }

  remove(node: ChildNode): void {
    const start = node.startIndex;
    const end = node.endIndex;
    if (start == null || end == null || this.isRemoved(node)) return;
    // Keep `ranges` sorted and disjoint: drop the ranges this one swallows, insert it.
    const i = this.rangeBefore(start) + 1;
    let j = i;
    while (j < this.ranges.length && this.ranges[j][0] <= end) j++;
    this.ranges.splice(i, j - i, [start, end]);
  }

  /** Index of the last range starting at or before `at` (-1 if none). */
  private rangeBefore(at: number): number {
    let lo = 0;
    let hi = this.ranges.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid][0] <= at) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  attr(el: Element, name: string): string | undefined {
    return el.attribs[name];
  }

  /**
   * Sets (or with null removes) an attribute; the rest of the tag keeps its bytes.
   * `el.attribs` is updated too, so later steps on the same Doc see the new value.
   */
  setAttr(el: Element, name: string, value: string | null): void {
    if (!this.editable(el)) return;
    const current = el.attribs[name];
    if (value === current || (value === null && current === undefined)) return;
    let change = this.attrChanges.get(el);
    if (!change) this.attrChanges.set(el, (change = new Map()));
    change.set(name, value);
    if (value === null) delete el.attribs[name];
    else el.attribs[name] = value;
  }

  /** The text content (iteratively: domutils' textContent recurses). */
  text(node: ChildNode | Document): string {
    let out = '';
    const stack: (ChildNode | Document)[] = [node];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'text') out += (n as unknown as { data: string }).data;
      else if (n.type === 'comment') continue;
      else if ('children' in n) for (let k = n.children.length - 1; k >= 0; k--) stack.push(n.children[k]);
    }
    return out;
  }

  toString(): string {
    if (!this.changed) return this.src;
    const edits: { start: number; end: number; text: string }[] = [];
    for (const [start, end] of this.ranges) edits.push({ start, end: end + 1, text: '' });
    for (const [el, change] of this.attrChanges) {
      if (this.isRemoved(el)) continue;
      edits.push(this.retag(el, change));
    }
    edits.sort((a, b) => a.start - b.start || a.end - b.end);
    let out = '';
    let pos = 0;
    for (const e of edits) {
      if (e.start < pos) continue; // inside a removed range
      out += this.src.slice(pos, e.start) + e.text;
      pos = e.end;
    }
    return out + this.src.slice(pos);
  }

  /** Only real start tags are edited; htmlparser2 also makes elements of stray end tags like `</p>`. */
  private editable(el: Element): boolean {
    const start = el.startIndex;
    const end = this.openEnd.get(el);
    return start != null && end != null && this.src[start] === '<' && /[a-zA-Z]/.test(this.src[start + 1] ?? '');
  }

  private retag(el: Element, change: AttrChange): { start: number; end: number; text: string } {
    const start = el.startIndex!;
    const end = this.openEnd.get(el)! + 1;
    const tag = this.src.slice(start, end);
    const spans = attrSpans(tag);
    const pending = new Map(change);
    let out = '';
    let pos = 0;
    const seen = new Set<string>();
    for (const span of spans) {
      if (!change.has(span.name)) continue;
      const value = change.get(span.name);
      out += tag.slice(pos, span.start);
      if (value != null && !seen.has(span.name)) {
        out += `${tag.slice(span.start, span.start + span.name.length)}="${escapeAttr(value)}"`;
      } else {
        // Removed, or a later duplicate of a changed attribute: drop it with its leading space.
        out = out.replace(/[\t\n\f\r ]+$/, '');
      }
      pos = span.end;
      seen.add(span.name);
      pending.delete(span.name);
    }
    let rest = tag.slice(pos);
    for (const [name, value] of pending) {
      if (value == null) continue;
      const close = /\s*\/?>$/.exec(rest);
      const at = close ? close.index : rest.length;
      rest = `${rest.slice(0, at)} ${name}="${escapeAttr(value)}"${rest.slice(at)}`;
    }
    return { start, end, text: out + rest };
  }
}

export function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/** Attribute positions in a start tag, following the HTML tokenizer's attribute states. */
export function attrSpans(tag: string): AttrSpan[] {
  const spans: AttrSpan[] = [];
  const n = tag.length;
  const ws = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
  let i = 1;
  while (i < n && !ws(tag[i]) && tag[i] !== '/' && tag[i] !== '>') i++;
  for (;;) {
    while (i < n && (ws(tag[i]) || tag[i] === '/')) i++;
    if (i >= n || tag[i] === '>') break;
    const start = i;
    i++; // a name may begin with '='
    while (i < n && !ws(tag[i]) && tag[i] !== '/' && tag[i] !== '>' && tag[i] !== '=') i++;
    const name = tag.slice(start, i).toLowerCase();
    let j = i;
    while (j < n && ws(tag[j])) j++;
    if (tag[j] === '=') {
      j++;
      while (j < n && ws(tag[j])) j++;
      const q = tag[j];
      if (q === '"' || q === "'") {
        const close = tag.indexOf(q, j + 1);
        i = close < 0 ? n : close + 1;
      } else {
        while (j < n && !ws(tag[j]) && tag[j] !== '>') j++;
        i = j;
      }
    }
    spans.push({ name, start, end: i });
  }
  return spans;
}

/** Deeper markup is cleaned as plain text: parsing cost grows with the square of the depth, and browsers flatten below 512 anyway. */
export const MAX_DEPTH = 1024;

const VOID = new Set(['area', 'base', 'basefont', 'bgsound', 'br', 'col', 'embed', 'frame', 'hr', 'image', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
// Usually left open and closed by their next sibling: they add no depth.
const SELF_ENDING = new Set(['p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'optgroup', 'rb', 'rt', 'rp', 'tbody', 'thead', 'tfoot', 'colgroup']);
const RAW = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);

/**
 * How deep the tags nest, estimated in one linear scan, stopping once `stopAt` is
 * passed. htmlparser2 slows down with the square of the depth, so depth is checked
 * before anything parses.
 */
export function nestingDepth(html: string, stopAt = Infinity): number {
  let depth = 0;
  let max = 0;
  const name = /^<(\/?)([a-zA-Z][^\s/>]*)/;
  for (let lt = html.indexOf('<'); lt >= 0; ) {
    const gt = html.indexOf('>', lt);
    if (gt < 0) break; // no tag can end any more (and no regex rescans the rest for every '<')
    const m = name.exec(html.slice(lt, Math.min(gt + 1, lt + 64)));
    let next = gt + 1;
    if (m) {
      const tag = m[2].toLowerCase();
      if (VOID.has(tag) || SELF_ENDING.has(tag)) {
        // adds no depth
      } else if (m[1]) {
        if (depth > 0) depth--;
      } else if (!(html[gt - 1] === '/' && tag.includes(':'))) {
        if (++depth > max && (max = depth) > stopAt) break;
        if (RAW.has(tag)) {
          const close = new RegExp(`</${tag.replace(/[^a-z0-9-]/g, '')}`, 'gi');
          close.lastIndex = next;
          const end = close.exec(html);
          if (!end) break;
          next = end.index;
        }
      }
    } else {
      next = lt + 1;
    }
    lt = html.indexOf('<', next);
  }
  return max;
}

/** The text of the HTML without any markup, safe as an HTML fragment (the fallback for unparseable input). */
export function plainText(html: string): string {
  let out = '';
  let pos = 0;
  for (let lt = html.indexOf('<'); lt >= 0; lt = html.indexOf('<', pos)) {
    const gt = html.indexOf('>', lt);
    if (gt < 0) break;
    out += html.slice(pos, lt);
    pos = gt + 1;
  }
  return (out + html.slice(pos)).replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
