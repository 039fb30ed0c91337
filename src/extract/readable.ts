// Finds the article body: Readability's paragraph scoring, made to count CJK text by
// characters and Chinese punctuation as clause signals. Nothing here mutates the tree:
// unlikely and boilerplate nodes go into a drop set, so retries with looser flags are cheap.
import { BLOCK, CJK_WEIGHT, isElement, isText, measure, elements, ancestors, type Element, type ParentNode, type AnyNode } from './dom.ts';

export interface Stat {
  len: number;
  commas: number;
  linkLen: number;
  /** Text in this element outside nested blocks (what Readability would wrap into <p>). */
  inlineLen: number;
  inlineCommas: number;
  hasBlock: boolean;
  p: number;
  img: number;
  li: number;
  input: number;
  embed: number;
  heading: number;
  listLen: number;
  cjk: number;
}

const ZERO: Stat = { len: 0, commas: 0, linkLen: 0, inlineLen: 0, inlineCommas: 0, hasBlock: false, p: 0, img: 0, li: 0, input: 0, embed: 0, heading: 0, listLen: 0, cjk: 0 };

export type Stats = Map<Element, Stat>;

/** Bottom-up text statistics of every element under root that is not dropped. */
export function computeStats(root: ParentNode, drop: Set<Element>): Stats {
  const stats: Stats = new Map();
  const order: Element[] = [];
  const stack: AnyNode[] = [...root.children];
  while (stack.length) {
    const n = stack.pop()!;
    if (!isElement(n) || drop.has(n)) continue;
    order.push(n);
    for (const c of n.children) stack.push(c);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const e = order[i];
    const s: Stat = { ...ZERO };
    for (const c of e.children) {
      if (isText(c)) {
        const m = measure(c.data);
        s.len += m.len; s.commas += m.commas; s.cjk += m.cjk; s.inlineLen += m.len; s.inlineCommas += m.commas;
        continue;
      }
      if (!isElement(c)) continue;
      const k = stats.get(c);
      if (!k) continue;
      s.len += k.len; s.commas += k.commas; s.cjk += k.cjk; s.linkLen += k.linkLen;
      s.p += k.p; s.img += k.img; s.li += k.li; s.input += k.input; s.embed += k.embed; s.heading += k.heading; s.listLen += k.listLen;
      if (BLOCK.has(c.name) || k.hasBlock) s.hasBlock = true;
      else { s.inlineLen += k.len; s.inlineCommas += k.commas; }
    }
    switch (e.name) {
      case 'a': s.linkLen = s.len; break;
      case 'p': case 'pre': s.p++; break;
      case 'img': s.img++; break;
      case 'li': s.li++; break;
      case 'input': case 'textarea': case 'select': s.input++; break;
      case 'embed': case 'object': case 'iframe': case 'video': s.embed++; break;
      case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6': s.heading = s.len; break;
      case 'ul': case 'ol': s.listLen = s.len; break;
    }
    stats.set(e, s);
  }
  return stats;
}

const UNLIKELY = /-ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|recommend|tuijian|xgyd|xiangguan|hotnews|hot-news|rank|guanggao|copyright|crumb|share-|-share|bdshare|login|toolbar|navbar|topbar|top-bar|subnav|sitenav|nav-|-nav|qrcode|erweima|weixin-code/i;
const MAYBE = /and|article|body|column|content|main|mathjax|shadow|text|detail|zhengwen|story/i;
const POSITIVE = /article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story|detail|zhengwen|neirong|artic|txt|con_|cnt|rich_media|markdown/i;
const NEGATIVE = /-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|recommend|tuijian|xgyd|xiangguan|hotnews|rank|guanggao|copyright|breadcrumb|crumb|nav|menu|toolbar|qrcode|erweima|login|author-info|byline|dateline|timestamp|caption-credit/i;
/** Hints so specific that a "content" in the same class name does not redeem them. */
const HARD_UNLIKELY = /recommend|related|tuijian|xiangguan|xgyd|hot-?news|comment-?list|comments|remen|paihang|guess-?like|you-?may-?like/i;
const UNLIKELY_ROLES = new Set(['menu', 'menubar', 'complementary', 'navigation', 'alert', 'alertdialog', 'dialog']);
const CJK_HINT_POS = /正文|内容|文章/;
const CJK_HINT_NEG = /评论|推荐|相关|广告|热门|排行|分享|导航|版权/;

const hint = (e: Element) => `${e.attribs.class ?? ''} ${e.attribs.id ?? ''}`;

export function classWeight(e: Element): number {
  const c = e.attribs.class ?? '';
  const id = e.attribs.id ?? '';
  let w = 0;
  for (const s of [c, id]) {
    if (!s) continue;
    if (NEGATIVE.test(s) || CJK_HINT_NEG.test(s)) w -= 25;
    if (POSITIVE.test(s) || CJK_HINT_POS.test(s)) w += 25;
  }
  const prop = e.attribs.itemprop;
  if (prop === 'articleBody') w += 25;
  return w;
}

/** Nodes Readability would strip before scoring: menus, comments, share bars, sidebars. */
export function unlikely(root: ParentNode, hardOnly = false): Set<Element> {
  const drop = new Set<Element>();
  const stack: AnyNode[] = [...root.children];
  while (stack.length) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    const role = n.attribs.role;
    const h = hint(n);
    let bad = false;
    if (hardOnly) {
      // Looser passes still skip comment threads and story lists: they are never the article.
      if (h.length > 1 && HARD_UNLIKELY.test(h) && !/article|body/i.test(h) && n.name !== 'body' && n.name !== 'article') bad = true;
      else if (teaserList(n)) { for (const c of n.children) if (isElement(c) && teaser(c)) drop.add(c); continue; }
    } else if (role && UNLIKELY_ROLES.has(role)) bad = true;
    else if (n.name === 'nav' || n.name === 'aside' || n.name === 'footer') bad = !hasArticleInside(n);
    else if (h.length > 1 && n.name !== 'body' && n.name !== 'a' && n.name !== 'html' && n.name !== 'main' && n.name !== 'article'
      && (UNLIKELY.test(h) || CJK_HINT_NEG.test(h)) && (!MAYBE.test(h) || HARD_UNLIKELY.test(h))
      && n.attribs.itemprop !== 'articleBody' && !/article/i.test(h) && !inTag(n, 'table', 'code', 'pre')
      // Utility-class soup ("showCommentsIconInShareSec") on a wrapper of the whole story is no verdict.
      && !((n.attribs.class ?? '').trim().split(/\s+/).length >= 6 && hasHeadline(n))) bad = true;
    else if (teaserList(n)) { for (const c of n.children) if (isElement(c) && teaser(c)) drop.add(c); continue; }
    if (bad) { drop.add(n); continue; }
    for (const c of n.children) stack.push(c);
  }
  return drop;
}

/** A headline link: the kind that leads to another article. */
function headlineLink(e: Element): boolean {
  const st: AnyNode[] = [...e.children];
  while (st.length) {
    const n = st.pop()!;
    if (!isElement(n)) continue;
    if (n.name === 'a' && n.attribs.href && measure(textLite(n)).len >= 24) return true;
    st.push(...n.children);
  }
  return false;
}

/** A teaser: a headline link with at most a summary beside it. */
function teaser(e: Element): boolean {
  if (!headlineLink(e)) return false;
  // A card lays headline and summary out as blocks; a news digest's "<li><b><a>…</a></b> summary" is prose.
  if (!elements(e).some((d) => BLOCK.has(d.name))) return false;
  const m = measure(textLite(e));
  return m.len < 1500;
}

/** A list of at least three similar items, most of them teasers: "more stories", not the article. */
function teaserList(e: Element): boolean {
  const items = e.children.filter((c): c is Element => isElement(c) && c.name !== 'script');
  if (items.length < 3) return false;
  const key = (c: Element) => `${c.name}.${(c.attribs.class ?? '').trim().split(/\s+/)[0]}`;
  const counts = new Map<string, number>();
  for (const c of items) counts.set(key(c), (counts.get(key(c)) ?? 0) + 1);
  const [k, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  if (n < 3 || k.startsWith('p.') || k === 'p.') return false;
  const same = items.filter((c) => key(c) === k);
  const teasers = same.filter(teaser).length;
  // Summaries are what makes a teaser list outscore a short article: only lists with text beside links count.
  return teasers >= 3 && teasers >= same.length * 0.6 && same.some((c) => measure(textLite(c)).len > 2 * measure(linkText(c)).len);
}

function linkText(e: Element): string {
  let s = '';
  const st: AnyNode[] = [e];
  while (st.length) {
    const n = st.pop()!;
    if (!isElement(n)) continue;
    if (n.name === 'a') s += textLite(n); else st.push(...n.children);
  }
  return s;
}

function hasHeadline(e: Element): boolean {
  return elements(e).some((d) => d.name === 'h1' || d.attribs.itemprop === 'articleBody');
}

function hasArticleInside(e: Element): boolean {
  return elements(e).some((d) => d.name === 'article' || d.attribs.itemprop === 'articleBody');
}

function inTag(e: Element, ...names: string[]): boolean {
  for (const a of ancestors(e, 3)) if (names.includes(a.name)) return true;
  return false;
}

const P_LIKE = new Set(['p', 'pre', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'dd']);
const SKIP_SCORE = new Set(['a', 'ul', 'ol', 'li', 'nav', 'table', 'tr', 'tbody', 'thead', 'form', 'header', 'footer', 'h1', 'html', 'body', 'head', 'select', 'option', 'button', 'label']);

function tagBase(name: string): number {
  switch (name) {
    case 'div': case 'article': case 'section': case 'main': return 5;
    case 'pre': case 'td': case 'blockquote': return 3;
    case 'address': case 'ol': case 'ul': case 'dl': case 'dd': case 'dt': case 'li': case 'form': return -3;
    case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6': case 'th': return -5;
    default: return 0;
  }
}

export interface Flags {
  strip: boolean;
  weight: boolean;
  clean: boolean;
}

export interface Picked {
  parts: Element[];
  top: Element;
  drop: Set<Element>;
  stats: Stats;
  /** Candidates by final score, best first (for diagnostics). */
  ranked: [Element, number][];
  /** The pick follows the title heading. */
  anchored: boolean;
}

/** Min inline text (effective length) for a block to count as a paragraph. */
const MIN_PARA = 25;

export function pick(root: ParentNode, flags: Flags, baseDrop: Set<Element>, title?: string): Picked | undefined {
  const drop = new Set(baseDrop);
  for (const d of unlikely(root, !flags.strip)) drop.add(d);
  const stats = computeStats(root, drop);
  const score = new Map<Element, number>();
  const init = (e: Element): void => {
    if (score.has(e)) return;
    score.set(e, tagBase(e.name) + (flags.weight ? classWeight(e) : 0));
  };
  for (const [e, s] of stats) {
    if (s.inlineLen < MIN_PARA || SKIP_SCORE.has(e.name)) continue;
    if (s.hasBlock && !P_LIKE.has(e.name) && s.inlineLen < 2 * MIN_PARA) continue;
    const inlineLinks = s.hasBlock ? 0 : s.linkLen / Math.max(1, s.len);
    if (inlineLinks > 0.6) continue;
    let add = 1 + s.inlineCommas + Math.min(Math.floor(s.inlineLen / 100), 3);
    add *= 1 - inlineLinks;
    const chain = P_LIKE.has(e.name) ? ancestors(e, 5) : [e, ...ancestors(e, 4)];
    chain.forEach((a, level) => {
      if (a.name === 'html' || a.name === 'body') return;
      init(a);
      const div = level === 0 ? 1 : level === 1 ? 2 : level * 3;
      score.set(a, score.get(a)! + add / div);
    });
  }
  if (!score.size) return undefined;
  const density = (e: Element) => { const s = stats.get(e); return s && s.len ? s.linkLen / s.len : 0; };
  const final = new Map<Element, number>();
  for (const [e, v] of score) final.set(e, v * (1 - density(e)));
  const ranked = [...final.entries()].sort((a, b) => b[1] - a[1]);
  let [top, topScore] = ranked[0];
  let anchored = false;
  if (title) {
    const near = nearTitle(root, title, ranked, drop, stats);
    if (near) { [top, topScore] = near; anchored = true; }
  }

  // Several strong candidates under one ancestor: the article is split into sections.
  // Candidates inside the top one are already covered by it.
  const alts = ranked.slice(1, 5).filter(([e, v]) => v / topScore >= 0.75 && !ancestors(e, 200).includes(top)).map(([e]) => e);
  if (alts.length >= 3 && !anchored) {
    let parent = top.parent;
    const altAncestors = alts.map((a) => new Set(ancestors(a, 200)));
    for (let depth = 0; parent && isElement(parent) && parent.name !== 'body' && depth < 200; depth++) {
      const p = parent;
      const containing = altAncestors.filter((set) => set.has(p)).length;
      if (containing >= 3) { top = p; break; }
      parent = parent.parent;
    }
    if (!final.has(top)) final.set(top, 0);
  }
  // Climb while the parent scores better: the top block is often one column of the body.
  let parent = top.parent;
  let last = final.get(top)!;
  const threshold = last / 3;
  while (parent && isElement(parent) && parent.name !== 'body' && parent.name !== 'html') {
    const ps = final.get(parent);
    if (ps === undefined) { parent = parent.parent; continue; }
    if (ps < threshold) break;
    if (ps > last) { top = parent; break; }
    last = ps;
    parent = parent.parent;
  }
  // An only child adds nothing over its parent.
  while (top.parent && isElement(top.parent) && top.parent.name !== 'body' && top.parent.name !== 'html'
    && top.parent.children.filter((c) => isElement(c) && !drop.has(c)).length === 1) top = top.parent;
  topScore = final.get(top) ?? topScore;

  const parts: Element[] = [];
  const container = top.parent;
  if (!container || !isElement(container) || container.name === 'html') parts.push(top);
  else {
    const thr = Math.max(10, topScore * 0.2);
    const topClass = top.attribs.class ?? '';
    for (const sib of container.children) {
      if (!isElement(sib) || drop.has(sib)) continue;
      if (sib === top) { parts.push(sib); continue; }
      let bonus = 0;
      if (topClass && sib.attribs.class === topClass) bonus += topScore * 0.2;
      const v = final.get(sib);
      if (v !== undefined && v + bonus >= thr) { parts.push(sib); continue; }
      if (sib.name === 'p' || (sib.name === 'div' && !stats.get(sib)?.hasBlock)) {
        const s = stats.get(sib);
        if (!s) continue;
        const ld = density(sib);
        if (s.len > 80 && ld < 0.25) parts.push(sib);
        else if (s.len < 80 && s.len > 0 && ld === 0 && /[.。！？!?]( |$)|[。！？]/.test(textLite(sib))) parts.push(sib);
      }
    }
  }
  if (flags.clean) for (const p of parts) clean(p, stats, drop, flags.weight);
  return { parts, top, drop, stats, ranked, anchored };
}

const norm = (t: string) => t.replace(/[\s\p{P}\p{S}]+/gu, '').toLowerCase();

/**
 * The article follows its headline. When the best block is far from the page's title
 * element (a feed of other stories, a sidebar essay), a good block right after the
 * title wins instead.
 */
function nearTitle(root: ParentNode, title: string, ranked: [Element, number][], drop: Set<Element>, stats: Stats): [Element, number] | undefined {
  const want = norm(title);
  if (want.length < 4) return undefined;
  // Document positions in effective text length: where each element starts and ends.
  const start = new Map<Element, number>();
  const end = new Map<Element, number>();
  let pos = 0;
  let heading: Element | undefined;
  const stack: (AnyNode | Element[])[] = [...root.children].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (Array.isArray(n)) { end.set(n[0], pos); continue; }
    if (isText(n)) { pos += measure(n.data).len; continue; }
    if (!isElement(n) || drop.has(n)) continue;
    start.set(n, pos);
    if (!heading && (n.name === 'h1' || n.name === 'h2')) {
      const t = norm(textLite(n));
      if (t.length >= 4 && (want.includes(t) || t.includes(want))) heading = n;
    }
    stack.push([n]);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  if (!heading) return undefined;
  const hEnd = end.get(heading)!;
  const [top, topScore] = ranked[0];
  const topStart = start.get(top) ?? 0;
  if (ancestors(heading).includes(top) || top === heading) return undefined;
  const gapTop = topStart - hEnd;
  if (gapTop >= 0 && gapTop < 1500) return undefined;
  for (const [e, v] of ranked.slice(1, 30)) {
    if (v < topScore * 0.1 || v < 8) break;
    const gap = (start.get(e) ?? -1) - hEnd;
    if (gap >= 0 && gap <= 600 && (stats.get(e)?.len ?? 0) >= 60) return [e, v];
  }
  return undefined;
}

/** Boilerplate cleaning of a body chosen by a site rule. */
export function cleanParts(root: ParentNode, parts: Element[], drop: Set<Element>): void {
  const stats = computeStats(root, drop);
  for (const p of parts) clean(p, stats, drop, true);
}

function textLite(e: Element): string {
  let s = '';
  const st: AnyNode[] = [e];
  while (st.length) {
    const n = st.pop()!;
    if (isText(n)) s += n.data;
    else if (isElement(n)) for (let i = n.children.length - 1; i >= 0; i--) st.push(n.children[i]);
  }
  return s;
}

const ALWAYS_DROP = new Set(['form', 'fieldset', 'object', 'embed', 'footer', 'link', 'aside', 'iframe', 'input', 'textarea', 'select', 'button', 'nav', 'h1']);
const CONDITIONAL = new Set(['form', 'fieldset', 'table', 'ul', 'ol', 'div', 'section', 'dl', 'header']);
/** Captions, credits, bylines and datelines: page furniture that is not the article's text. */
const META_HINT = /(^|[\s_-])(byline|by-line|author|authors|dateline|timestamp|pubdate|publish-?date|date|credit|credits|caption|wp-caption-text|photo-?credit|image-?credit|article-?meta|post-?meta|entry-?meta)([\s_-]|$)/i;
/** Whole-element labels of widgets. */
const LABEL = /^(advertisement|advert|ad|sponsored|caption|close|share|tweet|email|print|广告|展开全文|收起|打开APP|点击查看|评论|收藏|举报|点赞|不喜欢|分享|分享到|复制链接|回复|\[(编辑|编辑源代码|edit|edit source)\])$/i;
const SHARE = /share|sharing|social|分享/i;

/** Readability's prepArticle: drop link lists, share bars, ad boxes and forms inside the picked body. */
function clean(root: Element, stats: Stats, drop: Set<Element>, weigh: boolean): void {
  const stack: Element[] = [];
  for (const c of root.children) if (isElement(c)) stack.push(c);
  while (stack.length) {
    const e = stack.pop()!;
    if (drop.has(e)) continue;
    const s = stats.get(e);
    if (!s) continue;
    if (ALWAYS_DROP.has(e.name) && !(e.name === 'form' && s.len > 500)) { drop.add(e); continue; }
    if ((e.name === 'h2' || e.name === 'h3') && weigh && classWeight(e) < 0) { drop.add(e); continue; }
    if (SHARE.test(hint(e)) && s.len < 500) { drop.add(e); continue; }
    if ((e.name === 'figcaption' || (META_HINT.test(hint(e)) && s.len < 300 && s.p <= 1)) && !(s.cjk > 0)) { drop.add(e); continue; }
    if (s.len <= 15 && !s.hasBlock && LABEL.test(textLite(e).trim())) { drop.add(e); continue; }
    if (CONDITIONAL.has(e.name) && conditionalDrop(e, s, weigh)) { drop.add(e); continue; }
    for (const c of e.children) if (isElement(c)) stack.push(c);
  }
}

function hasAncestor(e: Element, name: string, depth = 3): boolean {
  return ancestors(e, depth).some((a) => a.name === name);
}

function conditionalDrop(e: Element, s: Stat, weigh: boolean): boolean {
  const weight = weigh ? classWeight(e) : 0;
  if (weight < 0) return true;
  if (s.commas >= 10) return false;
  const isList = e.name === 'ul' || e.name === 'ol' || (s.len > 0 && s.listLen / s.len > 0.9);
  const ld = s.len ? s.linkLen / s.len : 0;
  const len = s.len;
  const headingDensity = s.len ? s.heading / s.len : 0;
  const liCount = s.li - 100;
  const fig = hasAncestor(e, 'figure');
  const cjkShort = 25 * CJK_WEIGHT;
  const remove =
    (s.img > 1 && s.p / s.img < 0.5 && !fig) ||
    (!isList && liCount > s.p) ||
    (s.input > Math.floor(s.p / 3)) ||
    (!isList && headingDensity < 0.9 && len < cjkShort && (s.img === 0 || s.img > 2) && ld > 0 && !fig) ||
    (!isList && weight < 25 && ld > 0.2) ||
    (weight >= 25 && ld > 0.5) ||
    ((s.embed === 1 && len < 75) || s.embed > 1) ||
    (s.img === 0 && len === 0);
  if (remove && isList) {
    // Image galleries are lists of single images: keep them.
    const items = e.children.filter(isElement);
    if (items.length && items.every((li) => li.children.filter(isElement).length === 1 && stats_img(li))) return false;
  }
  if (!remove && isList && ld > 0.5) return true;
  return remove;
}

function stats_img(li: Element): boolean {
  return elements(li).some((d) => d.name === 'img');
}
