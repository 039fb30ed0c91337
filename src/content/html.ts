// A parsed HTML fragment that is edited in place: every change is recorded as a
// splice of the original text, so whatever no step touches comes out byte for
// byte as it came in (no re-serialization before the sanitizer).
import { Parser, type ParserOptions } from 'htmlparser2';
import { DomHandler, Element, type ChildNode, type Document, type ParentNode } from 'domhandler';
import { textContent } from 'domutils';

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
  private readonly removed = new Set<ChildNode>();
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
  private fixEnds(parent: ParentNode, limit: number): void {
    const kids = parent.children;
    for (let k = 0; k < kids.length; k++) {
      const node = kids[k];
      const next = kids[k + 1];
      const bound = next?.startIndex != null ? next.startIndex - 1 : limit;
      if (node.endIndex == null || node.endIndex > bound) node.endIndex = bound;
      if (!(node instanceof Element)) continue;
      const end = node.endIndex;
      const close = /<\/[^>]*>$/.exec(this.src.slice(node.startIndex ?? 0, end + 1));
      const explicit = close != null && close[0].slice(2).toLowerCase().startsWith(node.name) && (node.startIndex ?? 0) + close.index > (this.openEnd.get(node) ?? -1);
      const inner = explicit ? (node.startIndex ?? 0) + close.index - 1 : end;
      this.fixEnds(node, inner);
    }
  }

  get changed(): boolean {
    return this.removed.size > 0 || this.attrChanges.size > 0;
  }

  /** Every element in document order (removed ones included; check `isRemoved`). */
  elements(): Element[] {
    const out: Element[] = [];
    const walk = (parent: ParentNode): void => {
      for (const child of parent.children) {
        if (child instanceof Element) {
          out.push(child);
          walk(child);
        }
      }
    };
    walk(this.root);
    return out;
  }

  isRemoved(node: ChildNode): boolean {
    for (let n: ChildNode | ParentNode | null = node; n; n = n.parent) {
      if (this.removed.has(n as ChildNode)) return true;
    }
    return false;
  }

  remove(node: ChildNode): void {
    if (node.startIndex == null || node.endIndex == null) return;
    this.removed.add(node);
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

  text(node: ChildNode): string {
    return textContent(node);
  }

  toString(): string {
    if (!this.changed) return this.src;
    const edits: { start: number; end: number; text: string }[] = [];
    for (const node of this.removed) {
      if (node.parent && this.isRemoved(node.parent as ChildNode)) continue;
      edits.push({ start: node.startIndex!, end: node.endIndex! + 1, text: '' });
    }
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
