// Site rules: our per-domain JSON (CSS selectors) and FiveFilters ftr-site-config
// text files (XPath), loaded from a directory the user points at.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { selectAll } from 'css-select';
import { squash, type Document, type Element } from './dom.ts';
import { parseDateText } from './meta.ts';
import { selectXPath } from './xpath.ts';

/** A selector: CSS in our JSON rules, XPath in ftr-site-config files. */
export type Selector = { css: string } | { xpath: string };

export interface SiteRule {
  /** Host the rule is for; a leading dot also matches every subdomain. */
  domain: string;
  body: Selector[];
  title: Selector[];
  date: Selector[];
  author: Selector[];
  strip: Selector[];
  stripIdOrClass: string[];
  stripImageSrc: string[];
  /** Literal replacements made on the HTML before parsing. */
  replace: [string, string][];
  nextPage: Selector[];
  singlePage: Selector[];
  /** false: keep the body as selected, without boilerplate cleaning. */
  prune: boolean;
  testUrls: string[];
}

export class RuleError extends Error {}

function emptyRule(domain: string): SiteRule {
  return { domain, body: [], title: [], date: [], author: [], strip: [], stripIdOrClass: [], stripImageSrc: [], replace: [], nextPage: [], singlePage: [], prune: true, testUrls: [] };
}

/**
 * Parses a FiveFilters ftr-site-config file. Unknown directives (tidy, http_header, ...)
 * are ignored; XPath syntax is checked on use, not here.
 */
export function parseFtrConfig(text: string, domain: string): SiteRule {
  const r = emptyRule(domain.toLowerCase());
  let find: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-z_]+)(?:\(([^)]*)\))?\s*:\s*(.*)$/i);
    if (!m) continue;
    const [, key, arg, value] = m;
    const v = value.trim();
    switch (key.toLowerCase()) {
      case 'body': if (v) r.body.push({ xpath: v }); break;
      case 'title': if (v) r.title.push({ xpath: v }); break;
      case 'date': if (v) r.date.push({ xpath: v }); break;
      case 'author': if (v) r.author.push({ xpath: v }); break;
      case 'strip': if (v) r.strip.push({ xpath: v }); break;
      case 'strip_id_or_class': if (v) r.stripIdOrClass.push(v.replace(/^["']|["']$/g, '')); break;
      case 'strip_image_src': if (v) r.stripImageSrc.push(v); break;
      case 'next_page_link': if (v) r.nextPage.push({ xpath: v }); break;
      case 'single_page_link': if (v) r.singlePage.push({ xpath: v }); break;
      case 'prune': r.prune = !/^no$/i.test(v); break;
      case 'test_url': if (v) r.testUrls.push(v); break;
      case 'find_string': find = value; break;
      case 'replace_string':
        if (arg !== undefined) r.replace.push([arg, value]);
        else if (find !== undefined) { r.replace.push([find, value]); find = undefined; }
        break;
    }
  }
  return r;
}

const list = (v: unknown, field: string): string[] => {
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  throw new RuleError(`"${field}" must be a string or a list of strings`);
};

/**
 * Parses our JSON rule: {"domain", "body", "title", "date", "author", "strip", "nextPage",
 * "singlePage", "replace": [[from, to]], "prune"}; selectors are CSS, one or a list.
 */
export function parseJsonRule(text: string, domain?: string): SiteRule {
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { throw new RuleError(`invalid JSON: ${(e as Error).message}`); }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new RuleError('a rule must be a JSON object');
  const o = data as Record<string, unknown>;
  const d = typeof o.domain === 'string' ? o.domain : domain;
  if (!d) throw new RuleError('rule without a domain');
  const r = emptyRule(d.toLowerCase());
  const css = (f: string) => list(o[f], f).map((s) => ({ css: s }));
  r.body = css('body'); r.title = css('title'); r.date = css('date'); r.author = css('author'); r.strip = css('strip');
  r.nextPage = css('nextPage'); r.singlePage = css('singlePage');
  r.testUrls = list(o.testUrl, 'testUrl');
  if (o.prune === false) r.prune = false;
  if (o.replace !== undefined) {
    if (!Array.isArray(o.replace) || !o.replace.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string'))) {
      throw new RuleError('"replace" must be a list of [from, to] string pairs');
    }
    r.replace = o.replace as [string, string][];
  }
  for (const s of [...r.body, ...r.title, ...r.date, ...r.author, ...r.strip, ...r.nextPage, ...r.singlePage]) checkCss((s as { css: string }).css);
  return r;
}

function checkCss(sel: string): void {
  try { selectAll(sel, []); } catch (e) { throw new RuleError(`invalid CSS selector "${sel}": ${(e as Error).message}`); }
}

export interface RuleLoad { rules: SiteRule[]; errors: string[] }

/** Loads every `*.json` (ours) and `*.txt` (ftr-site-config) rule in a directory; a bad file is reported, not fatal. */
export function loadRules(dir: string): RuleLoad {
  const rules: SiteRule[] = [];
  const errors: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile() || statSync(path).size > 1 << 20) continue;
      if (name.endsWith('.json')) rules.push(parseJsonRule(readFileSync(path, 'utf8'), name.slice(0, -5)));
      else if (name.endsWith('.txt')) rules.push(parseFtrConfig(readFileSync(path, 'utf8'), name.slice(0, -4)));
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  return { rules, errors };
}

export function applyReplacements(rule: SiteRule, html: string): string {
  let out = html;
  for (const [from, to] of rule.replace) if (from) out = out.split(from).join(to);
  return out;
}

interface Selected { elements: Element[]; strings: string[] }

function select(sel: Selector, doc: Document): Selected {
  try {
    if ('css' in sel) {
      const elements = selectAll(sel.css, doc) as unknown as Element[];
      return { elements, strings: elements.map((e) => squash(textContent(e))) };
    }
    return selectXPath(sel.xpath, doc);
  } catch {
    // A broken selector in a user's rule file disables that selector only.
    return { elements: [], strings: [] };
  }
}

function textContent(e: Element): string {
  let s = '';
  const st = [...e.children].reverse();
  while (st.length) {
    const n = st.pop()!;
    if (n.type === 'text') s += (n as unknown as { data: string }).data;
    else if ('children' in n) for (let i = n.children.length - 1; i >= 0; i--) st.push(n.children[i]);
  }
  return s;
}

export interface RuleResult {
  body: Element[];
  strip: Element[];
  title?: string;
  author?: string;
  date?: number;
  nextPage?: string;
  singlePage?: string;
}

/** Evaluates a rule on a parsed page. Every field is optional: an unmatched one falls back to detection. */
export function applyRule(rule: SiteRule, doc: Document): RuleResult {
  const first = (sels: Selector[]): string | undefined => {
    for (const s of sels) { const v = select(s, doc).strings.map(squash).find(Boolean); if (v) return v; }
    return undefined;
  };
  const strip = new Set<Element>();
  for (const s of rule.strip) for (const e of select(s, doc).elements) strip.add(e);
  if (rule.stripIdOrClass.length || rule.stripImageSrc.length) {
    const st = [...doc.children];
    while (st.length) {
      const n = st.pop()!;
      if (n.type !== 'tag' && n.type !== 'script' && n.type !== 'style') { if ('children' in n) st.push(...n.children); continue; }
      const e = n as Element;
      const cls = e.attribs.class ?? '';
      const id = e.attribs.id ?? '';
      if (rule.stripIdOrClass.some((x) => cls.includes(x) || id.includes(x))) { strip.add(e); continue; }
      if (e.name === 'img' && rule.stripImageSrc.some((x) => (e.attribs.src ?? '').includes(x))) strip.add(e);
      st.push(...e.children);
    }
  }
  let body: Element[] = [];
  for (const s of rule.body) {
    const els = select(s, doc).elements;
    if (els.length) { body = els; break; }
  }
  // Keep outermost matches only, so nested matches are not output twice.
  const set = new Set(body);
  body = body.filter((e) => { for (let p = e.parent; p; p = p.parent) if (set.has(p as Element)) return false; return true; });
  let date: number | undefined;
  for (const s of rule.date) {
    for (const v of select(s, doc).strings) { date = parseDateText(v, /[\u4e00-\u9fff]/.test(v)); if (date !== undefined) break; }
    if (date !== undefined) break;
  }
  const authors = rule.author.flatMap((s) => select(s, doc).strings.map((v) => squash(v).replace(/^(by\s+|作者\s*[:：]\s*|记者\s*[:：]?\s*)/i, '')).filter(Boolean));
  const href = (sels: Selector[]): string | undefined => {
    for (const s of sels) {
      const r = select(s, doc);
      const el = r.elements.find((e) => e.attribs.href);
      if (el) return el.attribs.href;
      const str = r.strings.find((x) => /^(https?:|\/|\.|\?)/.test(x.trim()));
      if (str) return str.trim();
    }
    return undefined;
  };
  return {
    body, strip: [...strip], title: first(rule.title), author: authors.length ? [...new Set(authors)].join(', ') : undefined,
    date, nextPage: href(rule.nextPage), singlePage: href(rule.singlePage),
  };
}
