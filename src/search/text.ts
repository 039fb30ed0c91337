// Text for the index: HTML to plain text, and a normalization that keeps every
// UTF-16 offset, so that matches found in the normalized text mark the original.
import { Parser } from 'htmlparser2';
import { Converter } from 'opencc-js/t2cn';

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

const toSimplified = Converter({ from: 'tw', to: 'cn' });
const fromHongKong = Converter({ from: 'hk', to: 'cn' });
// Per character, cached: converting whole texts with OpenCC's phrase tables is
// slow (~0.8M chars/s here) and may change lengths; a character map keeps
// offsets and is applied the same way to documents and queries.
const simplified = new Map<string, string>();

function simplify(c: string): string {
  const known = simplified.get(c);
  if (known !== undefined) return known;
  let s: string = fromHongKong(toSimplified(c)) ?? c;
  if (s.length !== c.length) s = c;
  simplified.set(c, s);
  return s;
}

/**
 * Search normalization: Traditional to Simplified Chinese, full-width ASCII to
 * ASCII, lower case. The result has the same UTF-16 length as the input and
 * each code unit stays at its offset.
 */
export function normalize(text: string): string {
  let out = '';
  let plain = 0; // start of a stretch copied unchanged
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let rep: string | undefined;
    if (code < 0x80) {
      if (code >= 65 && code <= 90) rep = String.fromCharCode(code + 32);
    } else if (code >= 0xff01 && code <= 0xff5e) {
      rep = String.fromCharCode(code - 0xfee0).toLowerCase();
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const pair = text.slice(i, i + 2);
      const s = simplify(pair);
      if (s !== pair) {
        out += text.slice(plain, i) + s;
        plain = i + 2;
      }
      i++;
      continue;
    } else if (code >= 0x2e80) {
      const c = text[i];
      const s = simplify(c);
      if (s !== c) rep = s;
    } else {
      const c = text[i];
      const l = c.toLowerCase();
      if (l !== c && l.length === 1) rep = l;
    }
    if (rep !== undefined) {
      out += text.slice(plain, i) + rep;
      plain = i + 1;
    }
  }
  return plain === 0 ? text : out + text.slice(plain);
}
