// The layout of an extracted article: the reference item's date line, lead image,
// caption and body, through a small placeholder template the user can change.
import { parseDocument } from 'htmlparser2';
import { findOne, getOuterHTML, removeElement, textContent } from 'domutils';
import { isTag, type Element } from 'domhandler';

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
  const first = doc.children.find((n) => isTag(n) || (n.type === 'text' && (n as unknown as { data: string }).data.trim() !== ''));
  if (!first || !isTag(first)) return { body: html };
  const img = first.name === 'img' ? first : findOne((e) => e.name === 'img', first.children, true);
  if (!img) return { body: html };
  const src = img.attribs.src;
  const holder: Element | undefined = first.name === 'figure' || first.name === 'img' ? first
    : textContent(first).trim() === '' || findOne((e) => e.name === 'figcaption', first.children, true) ? first : undefined;
  if (!holder) return { body: html };
  if (leadImage && !sameImage(src, leadImage)) return { body: html };
  const capEl = findOne((e) => e.name === 'figcaption', holder.children, true);
  const caption = capEl ? textContent(capEl).replace(/\s+/g, ' ').trim() : undefined;
  removeElement(holder);
  return { body: getOuterHTML(doc.children, { decodeEntities: false }), caption: caption || undefined, image: src };
}

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
