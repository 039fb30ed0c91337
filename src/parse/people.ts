import type { Person } from './model.ts';

const emailRe = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;

/**
 * Split an RSS person string ("jo@example.com (Jo)", "Jo <jo@example.com>", "Jo", "jo@example.com")
 * into name and email, keeping the string as found.
 */
export function parsePerson(raw: string): Person {
  const text = raw.trim();
  const person: Person = { raw: text };
  if (!text) return person;
  const m = emailRe.exec(text);
  if (!m) {
    person.name = text;
    return person;
  }
  person.email = m[0];
  let rest = (text.slice(0, m.index) + text.slice(m.index + m[0].length)).trim();
  rest = rest.replace(/mailto:/i, '').replace(/\(\s*\)|<\s*>/g, '').trim().replace(/^[(<\s]+|[)>\s]+$/g, '').trim();
  if (rest) person.name = rest;
  return person;
}
