// Text for the index: HTML to plain text, and a normalization that keeps every
// UTF-16 offset, so that matches found in the normalized text mark the original.
import { Parser } from 'htmlparser2';
import { Converter, Locale } from 'opencc-js/t2cn';

// Elements whose end (or start) separates words; inline ones (a, b, span...) do
// not, since Chinese has no spaces and <b>崔</b>善姬 is one name.
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'dd', 'details', 'div', 'dl', 'dt', 'figcaption',
  'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'img', 'li', 'main', 'nav', 'ol', 'p',
  'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'video', 'audio', 'iframe',
]);
// Elements whose text is never shown.
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'head', 'title', 'svg', 'math', 'object']);

/** Visible text of an HTML fragment: tags dropped, entities decoded, blocks separated by one space. */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  let hidden = 0;
  let pendingSpace = false;
  const space = () => {
    pendingSpace = parts.length > 0;
  };
  const parser = new Parser(
    {
      onopentagname(name) {
        if (HIDDEN.has(name)) hidden++;
        else if (BLOCK.has(name)) space();
      },
      onclosetag(name) {
        if (HIDDEN.has(name)) hidden = Math.max(0, hidden - 1);
        else if (BLOCK.has(name)) space();
      },
      ontext(text) {
        if (hidden) return;
        // Whitespace runs (newlines in the source too) count as one space.
        const t = text.replace(/[\s\u00a0\u3000]+/g, ' ');
        if (t === ' ') {
          space();
          return;
        }
        if (!t) return;
        if (pendingSpace && t[0] !== ' ' && parts.length && !parts[parts.length - 1].endsWith(' ')) parts.push(' ');
        pendingSpace = false;
        parts.push(t);
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return parts.join('').trim();
}

// Traditional (and Taiwan, Hong Kong variant) characters to Simplified, one
// character to one: converting whole texts with OpenCC's phrase tables is slow
// (~0.8M chars/s here) and may change lengths; a character map keeps offsets,
// and is applied the same way to documents and queries.
const simplified = new Map<string, string>();
{
  const toSimplified = Converter({ from: 'tw', to: 'cn' });
  const fromHongKong = Converter({ from: 'hk', to: 'cn' });
  const groups = [...Locale.from.tw, ...Locale.from.hk, ...Locale.to.cn];
  for (const group of groups) {
    for (const dict of group) {
      if (typeof dict !== 'string') continue;
      for (const entry of dict.split('|')) {
        const key = entry.slice(0, entry.indexOf(' '));
        if (Array.from(key).length !== 1 || simplified.has(key)) continue;
        const s = fromHongKong(toSimplified(key));
        if (s !== key && s.length === key.length) simplified.set(key, s);
      }
    }
  }
}
const escapeClass = (c: string) => (/[\\\]\[^-]/.test(c) ? `\\${c}` : c);
/** Everything normalize changes: upper case, full-width ASCII, Traditional characters. */
const CHANGES = new RegExp(`[\\p{Lu}\\uff01-\\uff5e${[...simplified.keys()].map(escapeClass).join('')}]`, 'gu');

function change(c: string): string {
  const s = simplified.get(c);
  if (s !== undefined) return s;
  const code = c.charCodeAt(0);
  const r = code >= 0xff01 && code <= 0xff5e ? String.fromCharCode(code - 0xfee0).toLowerCase() : c.toLowerCase();
  return r.length === c.length ? r : c;
}

/**
 * Search normalization: Traditional to Simplified Chinese, full-width ASCII to
 * ASCII, lower case. The result has the same UTF-16 length as the input and
 * each code unit stays at its offset.
 */
export function normalize(text: string): string {
  return text.replace(CHANGES, change);
}
