// The query language: words, "phrases", -exclusions, site:NAME, after:/before:
// dates. Compiled to an FTS5 expression in which every token is quoted, so no
// user text is ever read as FTS5 syntax.
import { normalize } from './text.ts';
import { runs, phraseExpr, queryWords, type Run } from './tokens.ts';

export class SearchQueryError extends Error {
  override name = 'SearchQueryError';
}

export interface Term {
  kind: 'word' | 'phrase';
  /** As typed. */
  text: string;
}

export interface ParsedQuery {
  must: Term[];
  not: Term[];
  sites: string[];
  notSites: string[];
  /** Epoch ms, inclusive: published at or after the start of that UTC day. */
  after?: number;
  /** Epoch ms, exclusive: published before the start of that UTC day. */
  before?: number;
}

const MAX_QUERY = 1000;
const MAX_TERMS = 32;
/** Words after splitting unspaced Chinese. */
const MAX_PHRASES = 64;

function parseDay(value: string, op: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== value) {
    throw new SearchQueryError(`${op}: expects a date like 2024-10-30, got "${value}"`);
  }
  return t;
}

export function parseQuery(input: string): ParsedQuery {
  if (typeof input !== 'string') throw new SearchQueryError('query must be a string');
  if (input.length > MAX_QUERY) throw new SearchQueryError(`query too long (${input.length} characters, at most ${MAX_QUERY})`);
  const q: ParsedQuery = { must: [], not: [], sites: [], notSites: [] };
  // A quoted phrase (closing quote optional), or a run of non-space characters;
  // either may start with "-". Curly and CJK quotes count as quotes.
  const re = /(-?)(?:["“”「」『』]([^"“”「」『』]*)["“”「」『』]?|(\S+))/gu;
  for (const m of input.matchAll(re)) {
    const negative = m[1] === '-';
    if (m[2] !== undefined) {
      if (m[2].trim()) (negative ? q.not : q.must).push({ kind: 'phrase', text: m[2] });
      continue;
    }
    const word = m[3];
    const op = /^(site|after|before):(.*)$/i.exec(word);
    if (op) {
      const name = op[1].toLowerCase();
      const value = op[2];
      if (!value) throw new SearchQueryError(`${name}: needs a value`);
      if (name === 'site') (negative ? q.notSites : q.sites).push(value);
      else if (negative) throw new SearchQueryError(`-${name}: cannot be negated; use ${name === 'after' ? 'before' : 'after'}:`);
      else if (name === 'after') q.after = parseDay(value, 'after');
      else q.before = parseDay(value, 'before');
      continue;
    }
    if (negative && word === '') continue;
    (negative ? q.not : q.must).push({ kind: 'word', text: word });
  }
  if (q.must.length + q.not.length > MAX_TERMS) throw new SearchQueryError(`too many search terms (at most ${MAX_TERMS})`);
  if (q.after !== undefined && q.before !== undefined && q.after >= q.before) {
    throw new SearchQueryError('after: must be earlier than before:');
  }
  return q;
}

export interface CompiledTerm {
  /** FTS5 expression, or undefined when the term holds nothing searchable (punctuation only). */
  expr?: string;
  /** Normalized strings to mark in snippets. */
  marks: string[];
}

/** Spaces between two CJK characters in a phrase are layout, not word breaks. */
function joinCjk(text: string): string {
  return text.replace(/(?<=[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])\s+(?=[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])/gu, '');
}

export function compileTerm(term: Term): CompiledTerm {
  const text = normalize(term.kind === 'phrase' ? joinCjk(term.text) : term.text);
  const rs = runs(text);
  const marks = rs.map((r) => r.text);
  if (!rs.length) return { marks };
  if (term.kind === 'word' && rs.every((r) => r.cjk)) {
    // Words of an unspaced Chinese query must all occur, not necessarily together.
    const words = rs.flatMap((r) => queryWords(r.text));
    const exprs = words.map((w) => phraseExpr([{ text: w, cjk: true, start: 0 }])).filter((e): e is string => !!e);
    return { expr: exprs.length > 1 ? `(${exprs.join(' AND ')})` : exprs[0], marks: words };
  }
  return { expr: phraseExpr(rs as Run[]), marks };
}

export interface Compiled {
  /** FTS5 MATCH expression; undefined when the query only filters. */
  match?: string;
  /** The words to find, without exclusions. */
  positive?: string;
  /** Exclusions alone (for filter-only queries). */
  exclude?: string;
  marks: string[];
}

export function compileQuery(q: ParsedQuery): Compiled {
  const must = q.must.map(compileTerm);
  const not = q.not.map(compileTerm);
  const pos = must.map((c) => c.expr).filter((e): e is string => !!e);
  const neg = not.map((c) => c.expr).filter((e): e is string => !!e);
  const marks = [...new Set(must.flatMap((c) => c.marks))];
  const exclude = neg.length ? neg.join(' OR ') : undefined;
  const phrases = [...pos, ...neg].reduce((n, e) => n + e.split(' AND ').length, 0);
  if (phrases > MAX_PHRASES) throw new SearchQueryError(`query has too many words (${phrases}, at most ${MAX_PHRASES})`);
  if (!pos.length) return { exclude, marks };
  let match = pos.join(' AND ');
  if (neg.length) match = `(${match}) NOT (${exclude})`;
  return { match, positive: pos.join(' AND '), exclude, marks };
}
