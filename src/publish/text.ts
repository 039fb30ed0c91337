// Plain text from feed text constructs, for the JSON Feed fields that are plain text by
// definition (title, summary, description).
import { decodeHTML } from 'entities';
import type { Text } from '../parse/model.ts';

// Elements whose content is never visible text.
const HIDDEN = new Set(['script', 'style', 'template', 'noscript', 'head', 'title']);

/**
 * The visible text of an HTML fragment: tags and comments dropped, entities decoded,
 * whitespace collapsed. Linear in the input: a hand scanner rather than regular expressions,
 * because titles come from hostile documents.
 */
export function htmlToText(html: string): string {
  let out = '';
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    const next = html.charCodeAt(lt + 1);
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      if (end < 0) break;
      i = end + 3;
      continue;
    }
    const isLetter = (next >= 65 && next <= 90) || (next >= 97 && next <= 122);
    if (!isLetter && next !== 47 /* / */ && next !== 33 /* ! */ && next !== 63 /* ? */) {
      // "a < b" is text, as in browsers.
      out += '<';
      i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    // No '>' anywhere after: the rest is an unfinished tag (a browser drops it too).
    if (gt < 0) break;
    if (isLetter) {
      const name = tagName(html, lt + 1);
      if (HIDDEN.has(name) && html.charCodeAt(gt - 1) !== 47) {
        const close = indexOfCaseless(html, '</' + name, gt + 1);
        if (close < 0) break;
        const closeEnd = html.indexOf('>', close);
        i = closeEnd < 0 ? n : closeEnd + 1;
        continue;
      }
      if (BREAKS.has(name)) out += ' ';
    } else if (next === 47) {
      if (BREAKS.has(tagName(html, lt + 2))) out += ' ';
    }
    i = gt + 1;
  }
  return collapse(decodeHTML(out));
}

// Block-level and line-breaking elements separate words.
const BREAKS = new Set([
  'br', 'p', 'div', 'li', 'ul', 'ol', 'tr', 'td', 'th', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'blockquote', 'pre', 'hr', 'section', 'article', 'header', 'footer', 'dd', 'dt', 'dl', 'figure',
  'figcaption', 'img',
]);

function tagName(s: string, from: number): string {
  let end = from;
  while (end < s.length) {
    const c = s.charCodeAt(end);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 47 || c === 62) break;
    end++;
  }
  return s.slice(from, end).toLowerCase();
}

function indexOfCaseless(s: string, needle: string, from: number): number {
  // Tag names are ASCII, so lower-casing a window keeps indices aligned.
  let at = from;
  for (;;) {
    const i = s.indexOf('</', at);
    if (i < 0) return -1;
    if (s.slice(i, i + needle.length).toLowerCase() === needle) return i;
    at = i + 2;
  }
}

/**
 * Control characters (never visible; a stray backspace inside CJK text must not become a space)
 * are dropped; runs of whitespace (Unicode, NBSP included) become one space; trimmed.
 */
export function collapse(s: string): string {
  return s.replace(/[\u0000-\u0008\u000e-\u001f\u007f]+/g, '').replace(/\s+/g, ' ').trim();
}

/** A text construct as plain text: HTML and XHTML are reduced to their visible text. */
export function plainText(t: Text | undefined): string | undefined {
  if (t === undefined) return undefined;
  return t.type === 'text' ? collapse(t.value) : htmlToText(t.value);
}
