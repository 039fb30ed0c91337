// Dates in the reader's time zone. Intl formatters are costly to make: one per zone.

interface Zone {
  parts: Intl.DateTimeFormat;
}

const zones = new Map<string, Zone>();

function zone(tz: string): Zone {
  let z = zones.get(tz);
  if (!z) {
    z = {
      parts: new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      }),
    };
    zones.set(tz, z);
  }
  return z;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function slowFields(t: number, tz: string): Fields {
  const out: Record<string, number> = {};
  for (const p of zone(tz).parts.formatToParts(t)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out as unknown as Fields;
}

// Offsets change at most every quarter hour (DST and zone changes fall on such
// boundaries), so one formatToParts per zone and quarter serves every list.
const QUARTER = 900_000;
const offsets = new Map<string, number>();

function fields(t: number, tz: string): Fields {
  const key = `${tz} ${Math.floor(t / QUARTER)}`;
  let off = offsets.get(key);
  if (off === undefined) {
    const start = Math.floor(t / QUARTER) * QUARTER;
    const f = slowFields(start, tz);
    off = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - start;
    if (offsets.size > 20_000) offsets.clear();
    offsets.set(key, off);
  }
  const d = new Date(t + off);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "2024-10-30" in the zone. */
export function dayOf(t: number, tz: string): string {
  const f = fields(t, tz);
  return `${f.year}-${pad(f.month)}-${pad(f.day)}`;
}

/** "2024-10-30 23:17" in the zone. */
export function formatTime(t: number, tz: string): string {
  const f = fields(t, tz);
  return `${f.year}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}`;
}

/** The zone's offset from UTC at instant t, ms. */
function offsetAt(t: number, tz: string): number {
  const f = slowFields(t, tz);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - Math.floor(t / 1000) * 1000;
}

/** A valid "YYYY-MM-DD", or undefined. */
export function parseDay(s: unknown): { year: number; month: number; day: number } | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** [start, end) of a calendar day in the zone, epoch ms. */
export function dayRange(day: string, tz: string): { from: number; to: number } | undefined {
  const d = parseDay(day);
  if (!d) return undefined;
  const midnight = (y: number, m: number, dd: number): number => {
    const guess = Date.UTC(y, m - 1, dd);
    // Twice: the offset at the guess can differ from the offset at the answer across a DST change.
    const t = guess - offsetAt(guess, tz);
    return guess - offsetAt(t, tz);
  };
  const next = new Date(Date.UTC(d.year, d.month - 1, d.day + 1));
  return { from: midnight(d.year, d.month, d.day), to: midnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()) };
}

/** The day before or after, as "YYYY-MM-DD". */
export function shiftDay(day: string, by: number): string {
  const d = parseDay(day)!;
  return new Date(Date.UTC(d.year, d.month - 1, d.day + by)).toISOString().slice(0, 10);
}
