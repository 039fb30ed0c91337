// Feed dates. Placeholder signature: owned by the dates work.

/** Parse any date string found in a feed; epoch milliseconds (UTC), or undefined when unparseable. */
export function parseDate(text: string): number | undefined {
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}
