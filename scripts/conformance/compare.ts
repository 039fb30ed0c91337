// gofeed-suite comparison (README 2.1): drop empty values on both sides, then
// deep-compare, with `*Parsed` date-times compared as instants.
import { isoInstant } from './assert.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Empty values dropped recursively; undefined counts as absent. Returns undefined when empty. */
export function normalize(v: unknown): Json | undefined {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    // Elements keep their places: an empty element is kept as {} so indexes still line up.
    const out = v.map((x) => normalize(x) ?? {});
    return out.length > 0 ? out : undefined;
  }
  if (typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const n = normalize(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return undefined;
}

/** Deletes `path` (with `*` for any key or index) from `v`, in place. */
export function dropPath(v: unknown, path: (string | number)[]): void {
  if (path.length === 0 || v === null || typeof v !== 'object') return;
  const [head, ...rest] = path;
  const keys = head === '*' ? Object.keys(v) : [String(head)];
  for (const k of keys) {
    if (rest.length === 0) {
      if (Array.isArray(v)) continue;
      delete (v as Record<string, unknown>)[k];
    } else dropPath((v as Record<string, unknown>)[k], rest);
  }
}

export interface Diff {
  path: string;
  expected: unknown;
  actual: unknown;
}

/** The first difference between two normalized values, or undefined when equal. */
export function firstDiff(expected: Json | undefined, actual: Json | undefined, path = '', key = ''): Diff | undefined {
  if (expected === actual) return undefined;
  if (key.endsWith('Parsed') && typeof expected === 'string' && typeof actual === 'string') {
    const a = isoInstant(expected);
    const b = isoInstant(actual);
    if (Number.isFinite(a) && Math.floor(a / 1000) === Math.floor(b / 1000)) return undefined;
    return { path, expected, actual };
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const d = firstDiff(expected[i], actual[i], `${path}[${i}]`, key);
      if (d) return d;
    }
    return undefined;
  }
  if (isObj(expected) && isObj(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const k of keys) {
      const d = firstDiff(expected[k], actual[k], path ? `${path}.${k}` : k, k);
      if (d) return d;
    }
    return undefined;
  }
  return { path: path || '(root)', expected, actual };
}

function isObj(v: unknown): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
