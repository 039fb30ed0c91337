import type { Person } from './model.ts';

const local = /[\w.+-]/;
const domain = /[\w.-]/;

/** The first e-mail address in `text`: grown outwards from each "@", so the cost stays linear. */
function findEmail(text: string): { index: number; value: string } | undefined {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let s = at;
    while (s > 0 && local.test(text[s - 1]!)) s--;
    let e = at + 1;
    while (e < text.length && domain.test(text[e]!)) e++;
    while (e > at + 1 && text[e - 1] === '.') e--;
    const host = text.slice(at + 1, e);
    if (s < at && /^[\w-]+(?:\.[\w-]+)+$/.test(host)) return { index: s, value: text.slice(s, e) };
    if (e > at) at = e - 1;
  }
  return undefined;
}

/**
 * Split an RSS person string ("jo@example.com (Jo)", "Jo <jo@example.com>", "Jo", "jo@example.com")
 * into name and email, keeping the string as found.
 */
export function parsePerson(raw: string): Person {
  const text = raw.trim();
  const person: Person = { raw: text };
  if (!text) return person;
  const m = findEmail(text);
  if (!m) {
    person.name = text;
    return person;
  }
  person.email = m.value;
  let rest = (text.slice(0, m.index) + text.slice(m.index + m.value.length)).trim();
  rest = trimBrackets(rest.replace(/mailto:/i, '').replace(/\(\s*\)|<\s*>/g, '').trim());
  if (rest) person.name = rest;
  return person;
}

/** Strip opening brackets and spaces from the start and closing ones from the end, in linear time. */
function trimBrackets(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && '(< \t\n\r'.includes(s[a]!)) a++;
  while (b > a && ')> \t\n\r'.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}
