// Step 4: promo footers and boilerplate removed by rules.
import { compile, selectAll } from 'css-select';
import { Element, type ChildNode, type ParentNode } from 'domhandler';
import type { Doc } from './html.ts';

export interface Rule {
  /** Shown in errors and docs. */
  name: string;
  /** CSS selector of the elements the rule looks at (default: block-like elements). */
  selector?: string;
  /** The element's text (whitespace collapsed, trimmed) must match; a string is a case-insensitive regexp. */
  text?: RegExp | string;
  /** `tail`: only when nothing but whitespace, `<br>`, `<hr>` or empty elements follows it. Default `anywhere`. */
  scope?: 'anywhere' | 'tail';
  /** Also remove the `<hr>`/`<br>` separators (and whitespace) right before the element. */
  separators?: boolean;
  /** Never remove an element with more text than this (default 600 when `text` is set), so a rule cannot eat an article. */
  maxText?: number;
}

const BLOCKS = 'p, div, section, aside, footer, small, span, blockquote, ul, ol, table, center, font, figure, li, dl';

/** Footers and share bars found in real feeds (feedx.net, WordPress, FeedBurner, Jetpack, AddToAny, FT/RFI, GreatFire NYT mirror). */
export const BUILTIN_RULES: readonly Rule[] = Object.freeze([
  { name: 'feedx-footer', selector: 'div', text: /^获取更多RSS/, scope: 'tail', separators: true },
  { name: 'wordpress-appeared-first', selector: 'p, div', text: /^(?:The post )?.{1,400}? appeared first on .{1,200}$/s, scope: 'tail' },
  { name: 'better-feed', selector: 'p, div', text: /^Feed enhanced by (?:the )?Better Feed\b/i, scope: 'tail' },
  // The same plugin's copyright line: "© author for site, year. |Permalink |No comment |Add to del.icio.us".
  { name: 'better-feed-copyright', selector: 'p, div', text: /^© .{1,300}\|\s*Permalink\s*\|/, scope: 'tail', separators: true },
  { name: 'nytimes-cn-mirror-link', selector: 'p', text: /^纽约时报中文网$/, scope: 'tail' },
  { name: 'feedflare', selector: '.feedflare' },
  {
    name: 'share-bars',
    selector: '.sharedaddy, .addtoany, .addtoany_share_save_container, .a2a_kit, .jp-relatedposts, .wpcnt, .sd-sharing-enabled, .shareaholic-canvas, .share-buttons, .social-share, .wp-block-jetpack-sharing-buttons',
  },
  { name: 'o-self-promo', selector: '.o-self-promo' },
]);

const MEDIA = new Set(['img', 'picture', 'video', 'audio', 'iframe', 'svg', 'object', 'embed']);

function compileText(rule: Rule): RegExp | undefined {
  if (rule.text === undefined) return undefined;
  if (rule.text instanceof RegExp) return rule.text;
  return new RegExp(rule.text, 'is');
}

/** Validates rules from a config file; throws an Error that names the bad rule. */
export function parseRules(value: unknown): Rule[] {
  if (!Array.isArray(value)) throw new Error('content rules: expected a list of rules');
  return value.map((raw, i) => {
    const where = `content rule #${i + 1}`;
    if (raw === null || typeof raw !== 'object') throw new Error(`${where}: expected an object`);
    const r = raw as Record<string, unknown>;
    const name = typeof r.name === 'string' && r.name ? r.name : `rule-${i + 1}`;
    const rule: Rule = { name };
    for (const key of Object.keys(r)) {
      if (!['name', 'selector', 'text', 'scope', 'separators', 'maxText'].includes(key)) throw new Error(`${where} (${name}): unknown field "${key}"`);
    }
    if (r.selector !== undefined) {
      if (typeof r.selector !== 'string' || !r.selector.trim()) throw new Error(`${where} (${name}): selector must be a non-empty string`);
      try {
        compile(r.selector);
      } catch (e) {
        throw new Error(`${where} (${name}): bad selector: ${(e as Error).message}`);
      }
      rule.selector = r.selector;
    }
    if (r.text !== undefined) {
      if (typeof r.text !== 'string' || !r.text) throw new Error(`${where} (${name}): text must be a non-empty regexp string`);
      try {
        new RegExp(r.text, 'is');
      } catch (e) {
        throw new Error(`${where} (${name}): bad text pattern: ${(e as Error).message}`);
      }
      rule.text = r.text;
    }
    if (rule.selector === undefined && rule.text === undefined) throw new Error(`${where} (${name}): needs a selector or a text pattern`);
    if (r.scope !== undefined) {
      if (r.scope !== 'anywhere' && r.scope !== 'tail') throw new Error(`${where} (${name}): scope must be "anywhere" or "tail"`);
      rule.scope = r.scope;
    }
    if (r.separators !== undefined) {
      if (typeof r.separators !== 'boolean') throw new Error(`${where} (${name}): separators must be true or false`);
      rule.separators = r.separators;
    }
    if (r.maxText !== undefined) {
      if (typeof r.maxText !== 'number' || !(r.maxText >= 0)) throw new Error(`${where} (${name}): maxText must be a number >= 0`);
      rule.maxText = r.maxText;
    }
    return rule;
  });
}

function collapsed(doc: Doc, node: ChildNode): string {
  return doc.text(node).replace(/[\s\u00a0]+/g, ' ').trim();
}

/** Nothing a reader would see: whitespace, `<br>`, `<hr>`, comments, empty non-media elements. */
function ignorable(doc: Doc, node: ChildNode): boolean {
  if (doc.isRemoved(node)) return true;
  if (node.type === 'text') return (node as unknown as { data: string }).data.replace(/[\s\u00a0]+/g, '') === '';
  if (node.type === 'comment') return true;
  if (!(node instanceof Element)) return false;
  if (node.name === 'br' || node.name === 'hr') return true;
  if (MEDIA.has(node.name)) return false;
  return collapsed(doc, node) === '' && selectAll('img, picture, video, audio, iframe, svg, object, embed', node).length === 0;
}

/**
 * Whether an element has only ignorable nodes after it, up to the end of the document.
 * Per parent, the index of its last visible child is computed once (wide trees stay linear).
 */
function tailChecker(doc: Doc): (el: Element) => boolean {
  const lastSolid = new Map<ParentNode, number>();
  const solidIndex = (parent: ParentNode): number => {
    let k = lastSolid.get(parent);
    if (k === undefined) {
      k = parent.children.length - 1;
      while (k >= 0 && ignorable(doc, parent.children[k])) k--;
      lastSolid.set(parent, k);
    }
    return k;
  };
  return (el) => {
    for (let node: ChildNode = el; node.parent; node = node.parent as unknown as ChildNode) {
      const k = solidIndex(node.parent);
      const solid = k >= 0 ? node.parent.children[k] : undefined;
      if (solid && solid !== node && (node.startIndex ?? 0) < (solid.startIndex ?? 0)) return false;
      if (node.parent.type === 'root') break;
    }
    return true;
  };
}

function removeSeparators(doc: Doc, el: Element): void {
  for (let prev = el.prev; prev; prev = prev.prev) {
    if (prev instanceof Element ? prev.name === 'br' || prev.name === 'hr' : prev.type === 'text' && ignorable(doc, prev)) doc.remove(prev);
    else if (!doc.isRemoved(prev)) break;
  }
}

/**
 * The longest piece of literal text every match must contain (outside groups and
 * classes, not made optional by a quantifier), or '' when the pattern has none that
 * is safe to name (alternation anywhere).
 */
export function requiredLiteral(re: RegExp): string {
  const src = re.source;
  if (/(?<!\\)\|/.test(src)) return '';
  let best = '';
  let run = '';
  let depth = 0;
  const flush = (optionalLast: boolean): void => {
    const lit = optionalLast ? run.slice(0, -1) : run;
    if (depth === 0 && lit.length > best.length) best = lit;
    run = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      flush(false);
      i++;
    } else if (c === '[') {
      flush(false);
      while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
    } else if (c === '(') {
      flush(false);
      depth++;
    } else if (c === ')') {
      flush(false);
      depth = Math.max(0, depth - 1);
    } else if (c === '?' || c === '*' || c === '{') {
      flush(true);
      if (c === '{') while (i < src.length && src[i] !== '}') i++;
    } else if ('^$.+'.includes(c)) {
      flush(false);
    } else {
      run += c;
    }
  }
  flush(false);
  return re.flags.includes('i') ? best.toLowerCase() : best;
}

// The pattern without its ^/$ anchors: if the whole document's text does not match it,
// no element's text can. Not for a pattern that starts with an unbounded wildcard:
// searched for anywhere in a long text, that would take time in the square of its length.
function unanchored(re: RegExp): RegExp | undefined {
  const source = re.source.replace(/^\^/, '').replace(/(?<!\\)\$$/, '');
  if (/^(?:\(\?:[^)]*\)\?)?(?:\.|\[\^?[^\]]*\])[*+]/.test(source)) return undefined;
  return new RegExp(source, re.flags.replace(/[gy]/g, ''));
}

export function applyRules(doc: Doc, rules: readonly Rule[]): void {
  let all: string | undefined;
  let lower: string | undefined;
  for (const rule of rules) {
    const text = compileText(rule);
    if (text) {
      // Skip the rule at once when the document's text lacks what every match contains.
      all ??= doc.text(doc.root as unknown as ChildNode).replace(/[\s\u00a0]+/g, ' ');
      const literal = requiredLiteral(text);
      if (literal) {
        if (text.flags.includes('i') ? !(lower ??= all.toLowerCase()).includes(literal) : !all.includes(literal)) continue;
      } else {
        const hint = unanchored(text);
        if (hint && !hint.test(all)) continue;
      }
    }
    const maxText = rule.maxText ?? (text ? 600 : Infinity);
    const atTail = rule.scope === 'tail' ? tailChecker(doc) : undefined;
    const candidates = selectAll(rule.selector ?? BLOCKS, doc.root as unknown as ParentNode) as Element[];
    const hits = candidates.filter((el) => {
      if (doc.isRemoved(el)) return false;
      if (text || maxText !== Infinity) {
        const t = collapsed(doc, el);
        if (t.length > maxText) return false;
        if (text) {
          text.lastIndex = 0; // a caller's /g or /y pattern must not carry state between elements
          if (!text.test(t)) return false;
        }
      }
      return !atTail || atTail(el);
    });
    // With a text pattern the innermost match wins, so a wrapper is never taken for its footer.
    const wrappers = new Set<ParentNode>();
    if (text) for (const el of hits) for (let p = el.parent; p && !wrappers.has(p); p = p.parent) wrappers.add(p);
    for (const el of hits) {
      if (wrappers.has(el)) continue;
      if (rule.separators) removeSeparators(doc, el);
      doc.remove(el);
    }
  }
}
