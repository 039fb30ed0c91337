// extract(): one page in, the article out.
import { BLOCK, byTag, elements, isElement, measure, parseHtml, remove, squash, textOf, type AnyNode, type Document, type Element, type ParentNode } from './dom.ts';
import { readMeta } from './meta.ts';
import { cleanParts, pick, type Flags } from './readable.ts';
import { imageSrc, renderHtml, renderText, resolve, safeUrl } from './render.ts';
import { applyReplacements, applyRule, type SiteRule } from './rules.ts';

export interface Article {
  title?: string;
  byline?: string;
  /** Publication time, epoch ms. */
  published?: number;
  leadImage?: string;
  /** Body HTML: block structure kept, URLs absolute (when a url was given), no scripts/styles/handlers; not yet sanitized. */
  html: string;
  /** Body text, one block per line. */
  text: string;
  lang?: string;
  /** Next page of a multi-page article, when the page links one. */
  nextPage?: string;
  /** Link to a single-page ("print") version, from a site rule. */
  singlePage?: string;
}

export interface ExtractOptions {
  /** The page URL: base of relative links, selects site rules. */
  url?: string;
  /** Site rules to consult; the first that matches the url's host applies. */
  rules?: SiteRule[];
}

const JUNK = new Set(['script', 'style', 'noscript', 'template', 'svg', 'canvas', 'link', 'meta', 'head', 'object', 'embed', 'math', 'select', 'textarea', 'button', 'input', 'option', 'dialog']);
const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;

/** Removes what is never content: scripting, styling, head, and elements hidden from readers. */
function prune(root: ParentNode): void {
  const doomed: AnyNode[] = [];
  const stack: AnyNode[] = [...root.children];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'comment' || n.type === 'directive' || n.type === 'cdata') { doomed.push(n); continue; }
    if (!isElement(n)) continue;
    const a = n.attribs;
    if (JUNK.has(n.name) || a.hidden !== undefined || (a.style && HIDDEN_STYLE.test(a.style))
      || (a['aria-hidden'] === 'true' && !/fallback-image/.test(a.class ?? '') && n.name !== 'img')) {
      doomed.push(n);
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  for (const n of doomed) remove(n);
}

const ATTEMPTS: Flags[] = [
  { strip: true, weight: true, clean: true },
  { strip: false, weight: true, clean: true },
  { strip: false, weight: false, clean: true },
  { strip: false, weight: false, clean: false },
];
/** Below this effective length (CJK characters count triple) the pick is retried with looser flags. */
const ENOUGH = 500;
/** A first pick this long is kept over looser picks that merely contain it. */
const SHORT = 150;

function contains(outer: Element, inner: Element): boolean {
  for (let n: Element | null = inner; n; n = n.parent as Element | null) if (n === outer) return true;
  return false;
}

function detectLang(text: string, declared?: string): string | undefined {
  const sample = text.slice(0, 3000);
  const kana = sample.match(/[\u3040-\u30ff]/g)?.length ?? 0;
  const hangul = sample.match(/[\uac00-\ud7af]/g)?.length ?? 0;
  const han = sample.match(/[\u4e00-\u9fff]/g)?.length ?? 0;
  const letters = sample.match(/\p{L}/gu)?.length ?? 0;
  if (letters && kana > letters * 0.05) return declared?.toLowerCase().startsWith('ja') ? declared : 'ja';
  if (letters && hangul > letters * 0.3) return declared?.toLowerCase().startsWith('ko') ? declared : 'ko';
  if (letters && han > letters * 0.3) return declared?.toLowerCase().startsWith('zh') ? declared : 'zh';
  if (declared && /^(zh|ja|ko)/i.test(declared)) return undefined;
  return declared;
}

/** Extracts the article of one page. Never throws on bad HTML: the worst case is an empty body. */
export function extract(html: string, options: ExtractOptions = {}): Article {
  const rule = options.url && options.rules?.length ? matchRule(options.rules, options.url) : undefined;
  const doc = parseHtml(rule ? applyReplacements(rule, html) : html);
  const cjk = /[\u4e00-\u9fff]/.test(html.slice(0, 200000));
  const meta = readMeta(doc, cjk);
  const ruled = rule ? applyRule(rule, doc) : undefined;
  const nextPage = firstHref(ruled?.nextPage, options.url) ?? (rule ? undefined : guessNextPage(doc, options.url));
  const singlePage = firstHref(ruled?.singlePage, options.url);
  prune(doc);
  const root: ParentNode = byTag(doc, 'body')[0] ?? doc;

  let parts: Element[] = [];
  let drop = new Set<Element>(ruled?.strip ?? []);
  if (ruled?.body.length) {
    parts = ruled.body;
    if (rule?.prune) cleanParts(root, parts, drop);
  } else {
    let best: { parts: Element[]; drop: Set<Element>; len: number; top: Element } | undefined;
    let first: typeof best;
    for (const flags of ATTEMPTS) {
      const p = pick(root, flags, drop, meta.title);
      if (!p) continue;
      const len = measure(renderText(p.parts, p.drop)).len;
      const cur = { parts: p.parts, drop: p.drop, len, top: p.top };
      first ??= cur;
      // A short article is not a failure: a looser pass that only widens the same block adds
      // boilerplate, so another block wins only over a nearly empty first pick, or by far.
      const better = !best || (first.len >= SHORT
        ? !contains(cur.top, first.top) && len > 3 * best.len
        : len > best.len);
      if (better) best = cur;
      if (len >= ENOUGH || (p.anchored && len >= SHORT && cur === first)) break;
    }
    if (best) ({ parts, drop } = best);
  }
  if (!ruled?.body.length) trimBoilerplate(parts, drop);
  const text = renderText(parts, drop);
  const bodyHtml = parts.length ? `<div>${renderHtml(parts, drop, options.url)}</div>` : '';
  const title = ruled?.title ?? meta.title;
  const firstImg = parts.flatMap((p) => (p.name === 'img' ? [p] : elements(p).filter((e) => e.name === 'img' && !drop.has(e))))[0];
  const lead = meta.leadImage ?? (firstImg ? imageSrc(firstImg) : undefined);
  return {
    title: title ? squash(title) : undefined,
    byline: ruled?.author ?? meta.byline,
    published: ruled?.date ?? meta.published,
    leadImage: lead && safeUrl(resolve(lead, options.url), 'src') ? resolve(lead, options.url) : undefined,
    html: bodyHtml,
    text,
    lang: detectLang(text, meta.lang),
    nextPage,
    singlePage,
  };
}

export function matchRule(rules: SiteRule[], url: string): SiteRule | undefined {
  let host: string;
  try { host = new URL(url).hostname.toLowerCase(); } catch { return undefined; }
  const bare = host.replace(/^www\./, '');
  // Most specific first: exact host, then parent domains.
  const labels = bare.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const d = labels.slice(i).join('.');
    const r = rules.find((x) => x.domain === d || (i > 0 && x.domain === '.' + d) || (i === 0 && x.domain === host));
    if (r) return r;
  }
  return rules.find((x) => x.domain.startsWith('.') && bare.endsWith(x.domain));
}

function firstHref(v: string | undefined, base?: string): string | undefined {
  if (!v) return undefined;
  const r = resolve(v, base);
  return /^https?:/i.test(r) ? r : undefined;
}

const NEXT_TEXT = /^(下一页|下页|后一页|next\s*page|next\s*›|next\s*»|next|›|»)$/i;

/** A "next page" link of a paginated article: rel=next or a 下一页/Next anchor pointing to a sibling URL. */
function guessNextPage(doc: Document, url?: string): string | undefined {
  if (!url) return undefined;
  let here: URL;
  try { here = new URL(url); } catch { return undefined; }
  const candidates: string[] = [];
  for (const e of elements(doc)) {
    if (e.name !== 'a' || !e.attribs.href) continue;
    const t = squash(textOf(e, 50));
    if (!(NEXT_TEXT.test(t) && t.length < 12)) continue;
    candidates.push(e.attribs.href);
  }
  for (const href of candidates) {
    let u: URL;
    try { u = new URL(href, here); } catch { continue; }
    if (u.host !== here.host || u.href === here.href || !/^https?:$/.test(u.protocol)) continue;
    // Page 2 of /a/123.html is /a/123_2.html or /a/123.html?page=2: same directory, similar name.
    const dir = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);
    if (dir(u.pathname) !== dir(here.pathname)) continue;
    const stem = (p: string) => p.slice(p.lastIndexOf('/') + 1).replace(/\.\w+$/, '').replace(/[_-]\d+$/, '');
    if (stem(u.pathname) !== stem(here.pathname) && u.pathname !== here.pathname) continue;
    return u.href;
  }
  return undefined;
}

/** Platform notices, see-more links, list headings: lines that are never the article's. */
const BOILER_LINE = /^(平台声明|特别声明|免责声明|声明[:：]|notice: the content above|以上内容.{0,20}(为|由).{0,40}(上传|发布)|返回.{1,6}[,，]?\s*查看更多|查看更多|加载更多|展开全文|阅读全文|大家都在看|推荐阅读|相关(新闻|阅读|推荐|文章|链接)|猜你喜欢|热门推荐|延伸阅读|更多精彩|责任编辑[:：]?$|(首页|上一页).*(下一页|尾页)|发布于[:：].{0,12}$|(语音)?播报文章|减少或屏蔽此类|已标记为不喜欢|\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}日?\s*(\d{1,2}:\d{2}(:\d{2})?)?$)/i;
/** English widget lines: recirculation heads, newsletter pitches, tag lists. */
const BOILER_EN = /^(you may also like|you might also like|don'?t miss|see more:|read more:|related:|related (articles|stories|coverage)|more from|recommended( for you)?|most (read|popular)|newsletters?|tags:?$|subscribe\b|sign up\b|get the latest .{0,40}inbox|receive the latest .{0,40}inbox|have a tip\?|follow us\b|share this\b|advertisement$)/i;
/** Platform disclaimers under user-posted articles (网易号, 搜狐号, 快传号 ...). */
const NOTICE = /^(特别声明|平台声明|免责声明|notice: the content above|以上内容.{0,20}(为|由).{0,60}(上传|发布))/i;
const LIST_HEAD = /^(you may also like|you might also like|don'?t miss|related|more from|recommended|most (read|popular)|大家都在看|推荐阅读|相关|猜你喜欢|热门推荐|延伸阅读|更多精彩)/i;

function linkShare(e: Element): number {
  const all = textOf(e, 2000).replace(/\s+/g, '').length;
  if (!all) return 0;
  let inLinks = 0;
  for (const a of elements(e)) if (a.name === 'a') inLinks += textOf(a, 2000).replace(/\s+/g, '').length;
  return e.name === 'a' ? 1 : inLinks / all;
}

const REF_HEADING = /^(参考(文献|资料|来源)|外部(链接|連結)|參考(文獻|資料)|相关条目|相關條目|参见|參見|注释|註釋|脚注|references|external links|see also|notes|footnotes|sources|bibliography)\s*(\[(编辑|編輯|edit)\])?$/i;
const HEADING = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/**
 * Drops boilerplate lines inside the picked body (platform notices, "see more" links,
 * bare date lines), then headings left dangling at the end (of a list that was cut).
 */
function trimBoilerplate(parts: Element[], drop: Set<Element>): void {
  const leaves: Element[] = [];
  for (const p of parts) {
    const all = [p, ...elements(p)].filter((e) => !drop.has(e) && !hasDroppedAncestor(e, p, drop));
    const blockInside = new Set<Element>();
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i];
      const parent = e.parent;
      if (parent && isElement(parent) && (BLOCK.has(e.name) || blockInside.has(e))) blockInside.add(parent);
    }
    for (const e of all) if (BLOCK.has(e.name) && !blockInside.has(e)) leaves.push(e);
  }
  const live: Element[] = [];
  let refLevel = 0;
  let linkRun = false;
  for (const e of leaves) {
    // A references / external links / see-also section runs to the next heading of its level.
    const level = HEADING.has(e.name) ? Number(e.name[1]) : 0;
    if (refLevel && (!level || level > refLevel)) { drop.add(e); continue; }
    refLevel = 0;
    if (level && REF_HEADING.test(squash(textOf(e, 100)))) { refLevel = level; drop.add(e); continue; }
    const t = squash(textOf(e, 400));
    if (!t) continue;
    if ((t.length < 150 && (BOILER_LINE.test(t) || BOILER_EN.test(t))) || (t.length < 500 && NOTICE.test(t))) { drop.add(e); if (LIST_HEAD.test(t)) linkRun = true; continue; }
    // The links under a "You may also like" / "相关新闻" heading go with it.
    if (linkRun && linkShare(e) > 0.8) { drop.add(e); continue; }
    linkRun = false;
    live.push(e);
  }
  while (live.length && HEADING.has(live[live.length - 1].name)) drop.add(live.pop()!);
}

function hasDroppedAncestor(e: Element, stop: Element, drop: Set<Element>): boolean {
  for (let n = e.parent; n && n !== stop; n = n.parent) if (drop.has(n as Element)) return true;
  return false;
}
