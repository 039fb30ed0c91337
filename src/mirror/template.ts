// The layout of an extracted article: the reference item's date line, lead image,
// caption and body, through a small placeholder template the user can change.
import { parseDocument } from 'htmlparser2';
import { findOne, getOuterHTML, removeElement, textContent } from 'domutils';
import { isTag, isText, type ChildNode, type Element } from 'domhandler';

/** The reference layout: every part is left out when absent. */
export const DEFAULT_TEMPLATE = '{date_line}{lead_image}{caption}{body}';
export const TEMPLATE_PLACEHOLDERS = ['date_line', 'lead_image', 'caption', 'body', 'byline'] as const;

export interface LayoutParts {
  published?: number;
  leadImage?: string;
  byline?: string;
  /** Article body HTML. */
  html: string;
}

const escText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string): string => escText(s).replace(/"/g, '&quot;');

/** Throws on a placeholder we do not know, so a typo is found when the config is read. */
export function checkTemplate(template: string): void {
  for (const m of template.matchAll(/\{([a-z_]+)\}/g)) {
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(m[1])) {
      throw new Error(`unknown placeholder {${m[1]}} (known: ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`);
    }
  }
}

/** Fills the placeholders in one pass: text coming from a page is never read as a placeholder. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (all, name: string) => (name in values ? values[name] : all));
}

function sameImage(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const strip = (u: string): string => u.replace(/^https?:/i, '').replace(/[?#].*$/, '');
  return strip(a) === strip(b);
}

/**
 * Takes the lead image's caption out of the body when the body opens with it (a
 * figure with a figcaption), so it is not shown twice; the lead image itself too.
 */
export function splitLead(html: string, leadImage: string | undefined): { body: string; caption?: string; image?: string } {
  const doc = parseDocument(html);
  const firstOf = (nodes: ChildNode[]): ChildNode | undefined => nodes.find((n) => isTag(n) || (isText(n) && n.data.trim() !== ''));
  const captionText = (el: Element): string => {
    const cap = findOne((e) => e.name === 'figcaption', el.children, true);
    return cap ? textContent(cap) : '';
  };
  // An image with at most its caption: no article text inside.
  const onlyImage = (el: Element): boolean =>
    (el.name === 'img' || !!findOne((e) => e.name === 'img', el.children, true)) && textContent(el).replace(captionText(el), '').trim() === '';
  let node = firstOf(doc.children);
  // The extractor wraps the article in a <div>: look at what opens it.
  while (node && isTag(node) && !onlyImage(node) && WRAPPERS.has(node.name)) node = firstOf(node.children);
  if (!node || !isTag(node) || !onlyImage(node)) return { body: html };
  const img = node.name === 'img' ? node : findOne((e) => e.name === 'img', node.children, true)!;
  const src = img.attribs.src;
  if (!src || (leadImage && !sameImage(src, leadImage))) return { body: html };
  const caption = captionText(node).replace(/\s+/g, ' ').trim();
  removeElement(node);
  return { body: getOuterHTML(doc.children, { decodeEntities: false }), caption: caption || undefined, image: src };
}

const WRAPPERS = new Set(['div', 'section', 'article', 'main']);

/** An RFC 1123 date in GMT, as the reference item writes it: `Wed, 30 Oct 2024 15:17:01 GMT`. */
export function dateLine(t: number | undefined): string | undefined {
  if (t === undefined || !Number.isFinite(t)) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toUTCString();
}

/** The article as HTML, laid out by the template (default: the reference layout). */
export function layout(a: LayoutParts, template = DEFAULT_TEMPLATE): string {
  const lead = splitLead(a.html, a.leadImage);
  const image = a.leadImage ?? lead.image;
  const date = dateLine(a.published);
  return fillTemplate(template, {
    date_line: date ? `<div><i>${escText(date)}</i></div>` : '',
    lead_image: image ? `<img src="${escAttr(image)}" width="100%">` : '',
    caption: lead.caption ? `<div><small style="color: #999;">${escText(lead.caption)}</small></div>` : '',
    byline: a.byline ? `<div><small>${escText(a.byline)}</small></div>` : '',
    body: lead.body,
  });
}
