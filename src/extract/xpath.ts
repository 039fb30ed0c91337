// The XPath 1.0 subset that FiveFilters site configs use, evaluated on domhandler trees:
// location paths with / and //, *, ., .., @attr, text(), predicates with and/or/not,
// =, !=, positions, and contains/starts-with/ends-with/normalize-space/concat/translate/string/
// string-length/position/last; unions with |. Anything else raises XPathError.
import { isElement, isText, textOf, type AnyNode, type Element, type ParentNode } from './dom.ts';

export class XPathError extends Error {}

type Item = AnyNode | { attr: string; value: string; owner: Element };
type Value = Item[] | string | number | boolean;

interface Step { axis: 'child' | 'desc' | 'self' | 'parent' | 'attr'; test: string; preds: Expr[] }
interface PathExpr { kind: 'path'; abs: boolean; steps: Step[] }
type Expr =
  | PathExpr
  | { kind: 'union'; paths: Expr[] }
  | { kind: 'lit'; value: string | number }
  | { kind: 'fn'; name: string; args: Expr[] }
  | { kind: 'op'; op: string; a: Expr; b: Expr };

const TOKEN = /\s*(\/\/|\/|\.\.|\.|\[|\]|\(|\)|\||@|,|!=|<=|>=|=|<|>|\*|"[^"]*"|'[^']*'|\d+(?:\.\d+)?|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw new XPathError(`unsupported XPath near "${src.slice(i, i + 20)}"`);
    out.push(m[1]);
    i = TOKEN.lastIndex;
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private t: string[]) {}
  peek(): string | undefined { return this.t[this.i]; }
  next(): string { const v = this.t[this.i++]; if (v === undefined) throw new XPathError('unexpected end of XPath'); return v; }
  expect(v: string): void { const n = this.next(); if (n !== v) throw new XPathError(`expected "${v}", found "${n}"`); }
  done(): boolean { return this.i >= this.t.length; }

  expr(): Expr { return this.or(); }
  or(): Expr { let a = this.and(); while (this.peek() === 'or') { this.next(); a = { kind: 'op', op: 'or', a, b: this.and() }; } return a; }
  and(): Expr { let a = this.cmp(); while (this.peek() === 'and') { this.next(); a = { kind: 'op', op: 'and', a, b: this.cmp() }; } return a; }
  cmp(): Expr {
    const a = this.union();
    const p = this.peek();
    if (p === '=' || p === '!=' || p === '<' || p === '>' || p === '<=' || p === '>=') { this.next(); return { kind: 'op', op: p, a, b: this.union() }; }
    return a;
  }
  union(): Expr {
    const first = this.primary();
    if (this.peek() !== '|') return first;
    const paths = [first];
    while (this.peek() === '|') { this.next(); paths.push(this.primary()); }
    return { kind: 'union', paths };
  }
  primary(): Expr {
    const p = this.peek();
    if (p === undefined) throw new XPathError('unexpected end of XPath');
    if (p === '(') { this.next(); const e = this.expr(); this.expect(')'); return e; }
    if (p[0] === '"' || p[0] === "'") { this.next(); return { kind: 'lit', value: p.slice(1, -1) }; }
    if (/^\d/.test(p)) { this.next(); return { kind: 'lit', value: Number(p) }; }
    if (/^[A-Za-z_]/.test(p) && this.t[this.i + 1] === '(' && p !== 'text' && p !== 'node') {
      this.next(); this.next();
      const args: Expr[] = [];
      while (this.peek() !== ')') { args.push(this.expr()); if (this.peek() === ',') this.next(); }
      this.expect(')');
      return { kind: 'fn', name: p, args };
    }
    return this.path();
  }
  path(): PathExpr {
    const steps: Step[] = [];
    let abs = false;
    let axis: Step['axis'] = 'child';
    if (this.peek() === '/') { this.next(); abs = true; }
    else if (this.peek() === '//') { this.next(); abs = true; axis = 'desc'; }
    for (;;) {
      const tok = this.next();
      let step: Step;
      if (tok === '.') step = { axis: 'self', test: '*', preds: [] };
      else if (tok === '..') step = { axis: 'parent', test: '*', preds: [] };
      else if (tok === '@') step = { axis: 'attr', test: this.next().toLowerCase(), preds: [] };
      else if (tok === '*' || /^[A-Za-z_]/.test(tok)) {
        let test = tok.toLowerCase();
        if ((test === 'text' || test === 'node') && this.peek() === '(') { this.next(); this.expect(')'); test += '()'; }
        step = { axis, test, preds: [] };
      } else throw new XPathError(`unexpected "${tok}" in XPath`);
      while (this.peek() === '[') { this.next(); step.preds.push(this.expr()); this.expect(']'); }
      steps.push(step);
      const p = this.peek();
      if (p === '/') { this.next(); axis = 'child'; }
      else if (p === '//') { this.next(); axis = 'desc'; }
      else break;
    }
    return { kind: 'path', abs, steps };
  }
}

const cache = new Map<string, Expr>();

export function compileXPath(src: string): Expr {
  let e = cache.get(src);
  if (e) return e;
  const p = new Parser(tokenize(src));
  e = p.expr();
  if (!p.done()) throw new XPathError(`unexpected "${p.peek()}" in XPath`);
  if (cache.size > 1000) cache.clear();
  cache.set(src, e);
  return e;
}

function stringOf(item: Item): string {
  if ('attr' in item) return item.value;
  return textOf(item);
}

function toStr(v: Value): string {
  if (Array.isArray(v)) return v.length ? stringOf(v[0]) : '';
  return String(v);
}
function toBool(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return v;
}
function toNum(v: Value): number { return typeof v === 'number' ? v : Number(toStr(v)); }

interface Ctx { node: AnyNode; pos: number; size: number; root: ParentNode }

function children(n: AnyNode): AnyNode[] { return 'children' in n ? (n as ParentNode).children : []; }

function descendants(n: AnyNode, out: AnyNode[]): void {
  const stack = [...children(n)].reverse();
  while (stack.length) {
    const c = stack.pop()!;
    out.push(c);
    const k = children(c);
    for (let i = k.length - 1; i >= 0; i--) stack.push(k[i]);
  }
}

function testNode(n: AnyNode, test: string): boolean {
  if (test === 'node()') return true;
  if (test === 'text()') return isText(n);
  if (!isElement(n)) return false;
  return test === '*' || n.name === test;
}

function evalPath(p: PathExpr, ctx: Ctx): Item[] {
  let current: Item[] = [p.abs ? ctx.root : ctx.node];
  for (const step of p.steps) {
    const next: Item[] = [];
    const seen = new Set<Item>();
    for (const c of current) {
      if ('attr' in c) continue;
      let cands: Item[];
      switch (step.axis) {
        case 'self': cands = [c]; break;
        case 'parent': cands = c.parent ? [c.parent] : []; break;
        case 'attr':
          cands = isElement(c) ? Object.entries(c.attribs).filter(([k]) => step.test === '*' || k === step.test).map(([attr, value]) => ({ attr, value, owner: c })) : [];
          break;
        case 'child': cands = children(c).filter((n) => testNode(n, step.test)); break;
        case 'desc': { const all: AnyNode[] = []; descendants(c, all); cands = all.filter((n) => testNode(n, step.test)); break; }
      }
      for (const pred of step.preds) {
        cands = cands.filter((n, i) => {
          const v = evaluate(pred, { node: n as AnyNode, pos: i + 1, size: cands.length, root: ctx.root });
          return typeof v === 'number' ? v === i + 1 : toBool(v);
        });
      }
      for (const n of cands) if (!seen.has(n)) { seen.add(n); next.push(n); }
    }
    current = next;
  }
  return current;
}

function compare(op: string, a: Value, b: Value): boolean {
  const test = (x: string | number, y: string | number): boolean => {
    switch (op) {
      case '=': return typeof x === 'number' || typeof y === 'number' ? Number(x) === Number(y) : x === y;
      case '!=': return typeof x === 'number' || typeof y === 'number' ? Number(x) !== Number(y) : x !== y;
      case '<': return Number(x) < Number(y);
      case '>': return Number(x) > Number(y);
      case '<=': return Number(x) <= Number(y);
      default: return Number(x) >= Number(y);
    }
  };
  const vals = (v: Value): (string | number)[] => (Array.isArray(v) ? v.map(stringOf) : typeof v === 'boolean' ? [String(v)] : [v]);
  if (typeof a === 'boolean' || typeof b === 'boolean') return op === '=' ? toBool(a) === toBool(b) : op === '!=' ? toBool(a) !== toBool(b) : false;
  return vals(a).some((x) => vals(b).some((y) => test(x, y)));
}

function evaluate(e: Expr, ctx: Ctx): Value {
  switch (e.kind) {
    case 'lit': return e.value;
    case 'path': return evalPath(e, ctx);
    case 'union': {
      const all = new Set<Item>();
      for (const p of e.paths) { const v = evaluate(p, ctx); if (!Array.isArray(v)) throw new XPathError('union of non-node-sets'); v.forEach((x) => all.add(x)); }
      return [...all];
    }
    case 'op':
      if (e.op === 'or') return toBool(evaluate(e.a, ctx)) || toBool(evaluate(e.b, ctx));
      if (e.op === 'and') return toBool(evaluate(e.a, ctx)) && toBool(evaluate(e.b, ctx));
      return compare(e.op, evaluate(e.a, ctx), evaluate(e.b, ctx));
    case 'fn': {
      const arg = (i: number): Value => (e.args[i] ? evaluate(e.args[i], ctx) : [ctx.node]);
      switch (e.name) {
        case 'contains': return toStr(arg(0)).includes(toStr(arg(1)));
        case 'starts-with': return toStr(arg(0)).startsWith(toStr(arg(1)));
        case 'ends-with': return toStr(arg(0)).endsWith(toStr(arg(1)));
        case 'normalize-space': return toStr(arg(0)).replace(/\s+/g, ' ').trim();
        case 'concat': return e.args.map((_, i) => toStr(arg(i))).join('');
        case 'not': return !toBool(arg(0));
        case 'string': return toStr(arg(0));
        case 'string-length': return toStr(arg(0)).length;
        case 'translate': {
          const [s, from, to] = [toStr(arg(0)), toStr(arg(1)), toStr(arg(2))];
          return [...s].map((ch) => { const k = from.indexOf(ch); return k < 0 ? ch : to[k] ?? ''; }).join('');
        }
        case 'lower-case': return toStr(arg(0)).toLowerCase();
        case 'position': return ctx.pos;
        case 'last': return ctx.size;
        case 'count': { const v = arg(0); return Array.isArray(v) ? v.length : 0; }
        case 'true': return true;
        case 'false': return false;
        default: throw new XPathError(`unsupported XPath function ${e.name}()`);
      }
    }
  }
}

export interface XPathMatch { elements: Element[]; strings: string[] }

/** Evaluates an XPath against the document: matched elements, and matched attribute or text values as strings. */
export function selectXPath(src: string, root: ParentNode): XPathMatch {
  const v = evaluate(compileXPath(src), { node: root, pos: 1, size: 1, root });
  if (!Array.isArray(v)) return { elements: [], strings: [toStr(v)] };
  const elements: Element[] = [];
  const strings: string[] = [];
  for (const it of v) {
    if ('attr' in it) strings.push(it.value);
    else if (isElement(it)) { elements.push(it); strings.push(textOf(it)); }
    else if (isText(it)) strings.push(it.data);
  }
  return { elements, strings };
}
