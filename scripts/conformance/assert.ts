// Evaluation of feedparser-suite assertions (README 1.3) on a plain result view.

export type Step = string | number;

export interface Assertion {
  path?: Step[];
  op: string;
  value?: unknown;
  alternatives?: Assertion[][];
}

/** Why an assertion does not hold, or undefined when it holds. */
export interface Miss {
  assertion: Assertion;
  actual: unknown;
  reason: string;
}

const MISSING = Symbol('missing');

export function check(a: Assertion, root: unknown): Miss | undefined {
  if (a.op === 'any') {
    const alts = a.alternatives ?? [];
    let first: Miss | undefined;
    for (const alt of alts) {
      const miss = alt.map((b) => check(b, root)).find((m) => m !== undefined);
      if (!miss) return undefined;
      first ??= miss;
    }
    return { assertion: a, actual: first?.actual, reason: `no alternative holds (first: ${first?.reason ?? 'none given'})` };
  }
  const path = a.path ?? [];
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const next = step(node, path[i]);
    if (next === MISSING) {
      if (i < path.length - 1) return { assertion: a, actual: undefined, reason: `missing ${fmtPath(path.slice(0, i + 1))}` };
      return missingLast(a);
    }
    node = next;
  }
  return op(a, node);
}

function step(node: unknown, key: Step): unknown {
  if (typeof key === 'number') {
    if (!Array.isArray(node)) return MISSING;
    const i = key < 0 ? node.length + key : key;
    return i >= 0 && i < node.length ? node[i] : MISSING;
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return MISSING;
  return Object.hasOwn(node, key) && (node as Record<string, unknown>)[key] !== undefined
    ? (node as Record<string, unknown>)[key]
    : MISSING;
}

function missingLast(a: Assertion): Miss | undefined {
  if (a.op === 'falsy' || a.op === 'null' || a.op === 'absent') return undefined;
  return { assertion: a, actual: undefined, reason: 'missing' };
}

function op(a: Assertion, v: unknown): Miss | undefined {
  const fail = (reason: string): Miss => ({ assertion: a, actual: v, reason });
  switch (a.op) {
    case 'eq':
      return deepEqual(v, a.value) ? undefined : fail('not equal');
    case 'ne':
      return deepEqual(v, a.value) ? fail('equal') : undefined;
    case 'truthy':
      return truthy(v) ? undefined : fail('not truthy');
    case 'falsy':
      return truthy(v) ? fail('not falsy') : undefined;
    case 'null':
      return v === null ? undefined : fail('not null');
    case 'not_null':
      return v === null ? fail('null') : undefined;
    case 'present':
      return undefined;
    case 'absent':
      return v === null ? undefined : fail('present');
    case 'len': {
      const n = Array.isArray(v) || typeof v === 'string' ? v.length : isPlain(v) ? Object.keys(v).length : undefined;
      return n === a.value ? undefined : fail(n === undefined ? 'has no length' : `length ${n}`);
    }
    case 'time_eq':
      return timeEq(v, a.value) ? undefined : fail('different instant');
    case 'instance_of':
      return instanceOf(v, a.value) ? undefined : fail('not that error kind');
    default:
      return fail(`unknown op ${a.op}`);
  }
}

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlain(v)) return Object.keys(v).length > 0;
  return true;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // feedparser's Python values: True == 1 and False == 0.
  if (typeof a === 'boolean' && typeof b === 'number') return Number(a) === b;
  if (typeof a === 'number' && typeof b === 'boolean') return a === Number(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlain(a) && isPlain(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** An instant from an epoch-ms number, a Date or a date-time string; NaN if none. */
export function instant(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') return isoInstant(v);
  return NaN;
}

/** Date.parse would read years 0-99 as 1900-1999; ISO strings here mean what they say. */
export function isoInstant(s: string): number {
  const m = /^(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z$/.exec(s);
  if (!m) return Date.parse(s);
  const d = new Date(Date.UTC(2000, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  d.setUTCFullYear(Number(m[1]));
  return d.getTime();
}

function timeEq(v: unknown, expected: unknown): boolean {
  const a = instant(v);
  const b = typeof expected === 'string' ? isoInstant(expected) : NaN;
  return Number.isFinite(a) && Number.isFinite(b) && Math.floor(a / 1000) === Math.floor(b / 1000);
}

/** The view gives bozo_exception as `{ kind, message }`; kinds are feedparser's exception names. */
function instanceOf(v: unknown, name: unknown): boolean {
  if (!isPlain(v) || typeof name !== 'string') return false;
  return v.kind === name || (Array.isArray(v.kinds) && v.kinds.includes(name));
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function fmtPath(path: Step[]): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '');
}
