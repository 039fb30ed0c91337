// Feed dates: RFC 822 and its many real-world variants, W3C-DTF / ISO 8601, asctime, epoch
// numbers, and the Greek, Hungarian, Korean and Chinese forms feeds are known to use.
// A string that does not fully parse, or names an impossible field (month 13, hour 25,
// Feb 30, a zone of -99:99), gives undefined: a missing date is better than a wrong one.
// Results are whole seconds: feeds rarely mean their fractions, and feedparser drops them.

/** Parse any date string found in a feed; epoch milliseconds (UTC), or undefined when unparseable. */
export function parseDate(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  const s = text.trim();
  if (!s || s.length > 120) return undefined;
  try {
    // null from a quick path: the form was recognised but a field is impossible; that is final.
    const quick = iso(s) ?? rfc822(s);
    if (quick !== undefined) return quick ?? undefined;
    return general(s);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Building and checking an instant.

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function leap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Epoch ms for the fields, or undefined when a field is out of range. `offset` in minutes east of UTC. */
function instant(y: number, mo: number, d: number, h = 0, mi = 0, sec = 0, offset = 0): number | undefined {
  if (!(y >= 1 && y <= 9999) || !(mo >= 1 && mo <= 12) || !(d >= 1)) return undefined;
  if (d > (mo === 2 && leap(y) ? 29 : DAYS[mo - 1])) return undefined;
  if (!(h >= 0 && h <= 23) || !(mi >= 0 && mi <= 59) || !(sec >= 0 && sec <= 60)) return undefined;
  if (sec === 60) sec = 59; // a leap second: the nearest representable instant
  let t: number;
  if (y >= 100) t = Date.UTC(y, mo - 1, d, h, mi, sec);
  else {
    const date = new Date(0); // Date.UTC would read years 0-99 as 1900-1999
    date.setUTCFullYear(y, mo - 1, d);
    date.setUTCHours(h, mi, sec, 0);
    t = date.getTime();
  }
  t -= offset * 60_000;
  return t >= MIN_T && t <= MAX_T ? t : undefined;
}

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: an offset must not push a date out of range.
const MIN_T = -62135596800000;
const MAX_T = 253402300799000;

/** "+08:00", "-0500", "+08", "Z": minutes east of UTC, or undefined if malformed/out of range. */
function numericZone(z: string): number | undefined {
  if (z === 'Z' || z === 'z') return 0;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(z);
  if (!m) return undefined;
  const h = +m[2];
  const mi = m[3] ? +m[3] : 0;
  if (h > 18 || mi > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
}

function year2(y: string): number {
  const n = +y;
  if (y.length !== 2) return n;
  // RFC 2822 4.3: 00-49 are 2000-2049, 50-99 are 1950-1999.
  return n < 50 ? 2000 + n : 1900 + n;
}

// ---------------------------------------------------------------------------------------------
// W3C-DTF / ISO 8601 (the quick path for Atom and most modern feeds).

// The zone is only allowed after a time: "2013-01-27-01" is not a date with zone -01.
const ISO_EXT =
  /^(\d{4})(?:-(\d{1,3}|[^\d\s\-T:]{3,12})(?:-(\d{1,2}))?)?(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?$/;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})(?:[Tt](\d{2})(\d{2})(?:(\d{2})(?:[.,]\d+)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const ISO_ORDINAL = /^(\d{4})-?(\d{3})(?:[Tt](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const ISO_WEEK = /^(\d{4})-?W(\d{2})(?:-?([1-7]))?(?:[Tt](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
// feedparser's truncated ISO 8601 forms with 2-digit years: -YYMM, -YY-MM, YY-MM-DD, 0YMMDD, 0YDDD.
const ISO_YYMM = /^-(\d{2})-?(\d{2})$/;
const ISO_YYMMDD = /^(\d{2})-(\d{2})-(\d{2})$/;
const DIGITS = /^\d+$/;

function zoneOf(z: string | undefined): number | undefined {
  if (!z) return 0; // no zone: UTC, as the conformance rows require
  const u = z.toUpperCase();
  if (u === 'UTC' || u === 'GMT') return 0;
  return numericZone(z);
}

function iso(s: string): number | null | undefined {
  const c = s.charCodeAt(0);
  if (c === 0x2d) {
    const m = ISO_YYMM.exec(s);
    return m ? sure(instant(2000 + +m[1], +m[2], 1)) : undefined;
  }
  if (c < 0x30 || c > 0x39) return undefined;
  let m = ISO_EXT.exec(s);
  if (m) {
    const off = zoneOf(m[7]);
    if (off === undefined) return null;
    const y = +m[1];
    if (m[2] && m[2].length === 3 && !m[3] && DIGITS.test(m[2])) return sure(ordinal(y, +m[2], m, 4, off));
    const mo = m[2] ? (DIGITS.test(m[2]) ? +m[2] : monthOf(m[2])) : 1;
    if (mo === undefined) return null;
    return sure(instant(y, mo, m[3] ? +m[3] : 1, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, off));
  }
  if (DIGITS.test(s)) return sure(digitsOnly(s));
  if ((m = ISO_BASIC.exec(s))) {
    const off = zoneOf(m[7]);
    if (off === undefined) return null;
    return sure(instant(+m[1], +m[2], +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, off));
  }
  if ((m = ISO_ORDINAL.exec(s))) {
    const off = zoneOf(m[6]);
    return off === undefined ? null : sure(ordinal(+m[1], +m[2], m, 3, off));
  }
  if ((m = ISO_WEEK.exec(s))) {
    const off = zoneOf(m[7]);
    if (off === undefined) return null;
    const y = +m[1];
    const week = +m[2];
    const wd = m[3] ? +m[3] : 1;
    // ISO week 1 is the week with the year's first Thursday; Jan 4 is always in it.
    const jan4 = new Date(0);
    jan4.setUTCFullYear(y, 0, 4);
    const jan4wd = jan4.getUTCDay() || 7;
    if (week < 1 || week > 53) return null;
    const dayOfYear = 4 - jan4wd + (week - 1) * 7 + wd; // 1-based, may spill into the next year
    const t = ordinalDate(y, dayOfYear);
    return sure(t && instant(t[0], t[1], t[2], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, off));
  }
  if ((m = ISO_YYMMDD.exec(s))) return sure(instant(2000 + +m[1], +m[2], +m[3]));
  return undefined;
}

function ordinal(y: number, day: number, m: RegExpExecArray, at: number, off: number): number | undefined {
  if (day < 1 || day > (leap(y) ? 366 : 365)) return undefined;
  const t = ordinalDate(y, day);
  return t && instant(t[0], t[1], t[2], m[at] ? +m[at] : 0, m[at + 1] ? +m[at + 1] : 0, m[at + 2] ? +m[at + 2] : 0, off);
}

function ordinalDate(y: number, day: number): [number, number, number] | undefined {
  const d = new Date(0);
  d.setUTCFullYear(y, 0, day);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/**
 * All-digit strings: YYYY, YYYYMMDD, YYYYDDD, epoch seconds (10 digits) or milliseconds (13),
 * YYYYMMDDhhmmss (14).
 * A 2-digit-year form (YYMMDD, YYDDD) is only taken with a leading 0 ("031231", "03335"): no
 * year starts with 0, while "22013" might be a 5-digit year and is better left unparsed.
 */
function digitsOnly(s: string): number | undefined {
  switch (s.length) {
    case 4:
      return instant(+s, 1, 1);
    case 5:
      return s[0] === '0' ? ordinalYY(2000 + +s.slice(0, 2), +s.slice(2)) : undefined;
    case 6:
      return s[0] === '0' ? instant(2000 + +s.slice(0, 2), +s.slice(2, 4), +s.slice(4)) : undefined;
    case 7:
      return ordinalYY(+s.slice(0, 4), +s.slice(4));
    case 8:
      return instant(+s.slice(0, 4), +s.slice(4, 6), +s.slice(6));
    case 10:
      return +s * 1000;
    case 13:
      return Math.floor(+s / 1000) * 1000;
    case 14:
      return instant(+s.slice(0, 4), +s.slice(4, 6), +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12));
    default:
      return undefined;
  }
}

function ordinalYY(y: number, day: number): number | undefined {
  if (day < 1 || day > (leap(y) ? 366 : 365)) return undefined;
  const t = ordinalDate(y, day);
  return t && instant(t[0], t[1], t[2]);
}

// ---------------------------------------------------------------------------------------------
// RFC 822 quick path: "Mon, 02 Jan 2006 15:04:05 -0700" and the usual small deviations.

const RFC822 =
  /^(?:[A-Za-z]{3,9}\.?,?\s*)?(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4}|\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s+([A-Za-z]{1,5}|[+-]\d{2}:?\d{2}|(?:GMT|UTC)[+-]\d{1,2}(?::?\d{2})?))?$/;

function rfc822(s: string): number | null | undefined {
  const m = RFC822.exec(s);
  if (!m) return undefined;
  const mo = monthOf(m[2]);
  if (mo === undefined) return null;
  let off = 0;
  if (m[7]) {
    const z = zone(m[7]);
    // An unknown word ("PM", a zone we lack) is for the general scan to judge.
    if (z === undefined) return /^[A-Za-z]+$/.test(m[7]) ? undefined : null;
    off = z;
  }
  return sure(instant(year2(m[3]), mo, +m[1], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, off));
}

function sure(t: number | undefined): number | null {
  return t === undefined ? null : t;
}

// ---------------------------------------------------------------------------------------------
// Names.

// Accents of Latin and Greek letters go; Thai vowel signs stay (they tell มี.ค. from ม.ค.).
function fold(w: string): string {
  return w.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\.$/, '');
}

const MONTHS = new Map<string, number>();
// English, then Greek (as feedparser knows it), Hungarian, and common French, German, Spanish,
// Italian, Portuguese, Dutch, Nordic abbreviations. Keys are folded (no accents, lower case).
const MONTH_NAMES: [number, string][] = [
  [1, 'jan january ιαν ιανουαριου ιανουαριος januar janv janvier ene enero gen gennaio jan. januari'],
  [2, 'feb february φεβ φεβρουαριου φεβρουαριος februar fevr fevrier fev febrero febbraio fevereiro februari'],
  [3, 'mar march μαρ μαω μαρτιου μαρτιος marcius marz mars marzo marco maart'],
  [4, 'apr april απρ απριλιου απριλιος aprilis avr avril abr abril aprile'],
  [5, 'may μαι μαιου μαιος majus mai mayo mag maggio maio mei maj'],
  [6, 'jun june ιουν ιον ιουνιου ιουνιος junius juni juin junio giu giugno junho'],
  [7, 'jul july ιουλ ιολ ιουλιου ιουλιος julius juli juil juillet julio lug luglio julho'],
  [8, 'aug august αυγ αυγουστου αυγουστος augusztus aout ago agosto augustus'],
  [9, 'sep sept september σεπ σεπτεμβριου σεπτεμβριος szeptember septembre septiembre set settembre setembro'],
  [10, 'oct october οκτ οκτωβριου οκτωβριος oktober okt octobre octubre ott ottobre out outubro'],
  [11, 'nov november νοε νοεμβριου νοεμβριος novembre noviembre novembro'],
  [12, 'dec december δεκ δεκεμβριου δεκεμβριος dezember dez decembre dic diciembre dicembre dezembro'],
];
// Thai abbreviations (ม.ค. = January ...).
'ม.ค. ก.พ. มี.ค. เม.ย. พ.ค. มิ.ย. ก.ค. ส.ค. ก.ย. ต.ค. พ.ย. ธ.ค.'.split(' ').forEach((m, i) => MONTH_NAMES.push([i + 1, m]));
for (const [n, names] of MONTH_NAMES) for (const name of names.split(' ')) MONTHS.set(fold(name), n);

function monthOf(word: string): number | undefined {
  const w = fold(word);
  return MONTHS.get(w) ?? (w.length > 3 && /^[a-z]+$/.test(w) ? MONTHS.get(w.slice(0, 3)) : undefined);
}

const WEEKDAYS = new Set(
  ('mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday sun sunday ' +
    'κυρ δευ τρι τετ πεμ παρ σαβ lun mar mer jeu ven sam dim mo di mi do fr sa so lu ma mie ju vi sa do')
    .split(' ')
    .map(fold),
);

// Zone abbreviations, minutes east of UTC. CST is US Central, as in feedparser; Chinese feeds
// that mean China Standard Time usually write +0800 or nothing at all.
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, WET: 0, 'ETC/GMT': 0, 'ETC/UTC': 0,
  BST: 60, CET: 60, MET: 60, WEST: 60, CEST: 120, MEST: 120, MESZ: 120, EET: 120, EEST: 180, MSK: 180, MSD: 240,
  IST: 330, ICT: 420, WIB: 420, HKT: 480, SGT: 480, PHT: 480, AWST: 480, BJT: 480, CCT: 480,
  JST: 540, KST: 540, ACST: 570, ACDT: 630, AEST: 600, AEDT: 660, NZST: 720, NZDT: 780,
  AST: -240, ADT: -180, AT: -240, EST: -300, EDT: -240, ET: -300, CST: -360, CDT: -300, CT: -360,
  MST: -420, MDT: -360, MT: -420, PST: -480, PDT: -420, PT: -480, AKST: -540, AKDT: -480, HST: -600,
};
// RFC 822 military zones, with RFC 822's own signs as feedparser reads them (A = -1 h, N = +1 h).
'ABCDEFGHIKLM'.split('').forEach((c, i) => (ZONES[c] = -(i + 1) * 60));
'NOPQRSTUVWXY'.split('').forEach((c, i) => (ZONES[c] = (i + 1) * 60));

const GMT_OFFSET = /^(?:GMT|UTC|UT)([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** A zone token: name, numeric offset, GMT+8, Etc/GMT, IANA name. Minutes east of UTC. */
function zone(tok: string): number | undefined {
  const c = tok[0];
  if (c === '+' || c === '-') return numericZone(tok);
  const named = ZONES[tok.toUpperCase()];
  if (named !== undefined) return named;
  const m = GMT_OFFSET.exec(tok);
  if (m) {
    const h = +m[2];
    const mi = m[3] ? +m[3] : 0;
    if (h > 18 || mi > 59) return undefined;
    return (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
  }
  return undefined;
}

const IANA = /^[A-Za-z]+(?:\/[A-Za-z_+\-0-9]+)+$/;
const ianaCache = new Map<string, Intl.DateTimeFormat | null>();

/** Offset of an IANA zone at a local wall-clock time, via the ICU data Node ships. */
function ianaOffset(name: string, wall: number): number | undefined {
  let f = ianaCache.get(name);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      f = null;
    }
    if (ianaCache.size < 200) ianaCache.set(name, f);
  }
  if (!f) return undefined;
  const at = (t: number) => {
    const p: Record<string, number> = {};
    for (const part of f!.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = +part.value;
    const local = new Date(0);
    local.setUTCFullYear(p.year, p.month - 1, p.day);
    local.setUTCHours(p.hour, p.minute, p.second, 0);
    return Math.round((local.getTime() - t) / 60_000);
  };
  // The offset at the wall time read as UTC, corrected once for the offset itself.
  const first = at(wall);
  return at(wall - first * 60_000);
}

// ---------------------------------------------------------------------------------------------
// Everything else: a token scan that accepts the parts in any order and rejects any token it
// cannot place.

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(am|pm|a\.m\.|p\.m\.)?$/i;
const YMD = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const DMY_WORD = /^(\d{1,2})-([^\d\s-]{3,12})-(\d{2}|\d{4})$/;
const NUM_DATE = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/;
const CJK_DATE = /(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?/;
const CJK_WEEKDAY = /(?:星期|礼拜|禮拜|周|週)[一二三四五六日天]|[(（][월화수목금토일月火水木金土日][)）]|[월화수목금토일]요일/g;
const AMPM: Record<string, 'am' | 'pm'> = { am: 'am', pm: 'pm', 'a.m.': 'am', 'p.m.': 'pm', 오전: 'am', 오후: 'pm', 上午: 'am', 下午: 'pm', 午前: 'am', 午後: 'pm' };

function general(input: string): number | undefined {
  let s = input.replace(/\([^)]*\)/g, ' '); // RFC 822 comments, "(Central European Summer Time)"
  // Dates written with Korean or Chinese characters carry no zone; they mean local time there.
  // Korean forms are read as KST (UTC+9), as feedparser does. Chinese forms ("2020年7月11日
  // 10:30") are read as China Standard Time (UTC+8): the feeds that write them are Chinese
  // sites (mainland, Taiwan, Hong Kong, Singapore are all UTC+8), and UTC would put every
  // such item 8 hours late. ISO-shaped strings without zone ("2020-07-11 10:30:00") stay UTC.
  let local = 0;
  if (/[가-힣]/.test(s)) local = 540;
  else if (/[\u4e00-\u9fff]/.test(s)) local = 480;
  s = s.replace(CJK_WEEKDAY, ' ').replace(CJK_DATE, ' $1-$2-$3 ');
  s = s.replace(/(\d)(上午|下午|오전|오후|午前|午後)/g, '$1 $2').replace(/(上午|下午|오전|오후|午前|午後)(\d)/g, '$1 $2');
  s = s.replace(/[：]/g, ':').replace(/,/g, ' ').trim();
  const tokens = s.split(/\s+/);

  let y: number | undefined;
  let mo: number | undefined;
  let d: number | undefined;
  let h: number | undefined;
  let mi = 0;
  let sec = 0;
  let ampm: 'am' | 'pm' | undefined;
  let off: number | undefined;
  let iana: string | undefined;
  const loose: string[] = [];

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    let m: RegExpExecArray | null;
    if ((m = TIME.exec(t))) {
      if (h !== undefined) return undefined;
      h = +m[1];
      mi = +m[2];
      sec = m[3] ? +m[3] : 0;
      if (m[4]) ampm = AMPM[m[4].toLowerCase()];
    } else if ((m = YMD.exec(t))) {
      if (y !== undefined) return undefined;
      y = +m[1];
      mo = +m[2];
      d = +m[3];
    } else if ((m = DMY_WORD.exec(t))) {
      if (y !== undefined) return undefined;
      d = +m[1];
      mo = monthOf(m[2]);
      y = year2(m[3]);
      if (mo === undefined) return undefined;
    } else if ((m = NUM_DATE.exec(t))) {
      // 11/07/2020 is July in Europe and November in the US: only take it when unambiguous.
      if (y !== undefined) return undefined;
      const a = +m[1];
      const b = +m[2];
      if (a > 12 && b <= 12) [d, mo] = [a, b];
      else if (b > 12 && a <= 12) [mo, d] = [a, b];
      else return undefined;
      y = +m[3];
    } else if (/^\d+$/.test(t)) {
      loose.push(t);
    } else if (AMPM[t.toLowerCase()]) {
      ampm = AMPM[t.toLowerCase()];
    } else if (t[0] === '+' || t[0] === '-') {
      const z = numericZone(t);
      if (z === undefined) return undefined;
      off = z;
    } else if (h !== undefined && /^[A-Za-z]{1,5}$/.test(t) && ZONES[t.toUpperCase()] !== undefined) {
      // A numeric offset elsewhere in the string wins over an abbreviation ("+0800 CST").
      if (off === undefined) off = ZONES[t.toUpperCase()];
    } else if (GMT_OFFSET.test(t)) {
      off = zone(t);
    } else if (IANA.test(t)) {
      if (/^etc\/(gmt|utc|uct|zulu)$/i.test(t)) off ??= 0;
      else iana = t;
    } else {
      const month = monthOf(t);
      if (month !== undefined && mo === undefined) mo = month;
      else if (WEEKDAYS.has(fold(t)) || (i === 0 && /^\p{L}+\.?$/u.test(t))) continue;
      else return undefined;
    }
  }

  // Loose numbers: a 4-digit year, a day, then a 2-digit year.
  for (const n of loose) {
    if (n.length === 4 && y === undefined) y = +n;
    else if (n.length <= 2 && d === undefined && mo !== undefined) d = +n;
    else if (n.length <= 2 && d === undefined) d = +n;
    else if (n.length === 2 && y === undefined) y = year2(n);
    else return undefined;
  }
  if (y === undefined || mo === undefined || d === undefined) return undefined;
  // Thai dates may count years in the Buddhist Era (2548 = 2005).
  if (y > 2400 && /[\u0e00-\u0e7f]/.test(input)) y -= 543;
  if (h === undefined) {
    if (ampm) return undefined;
    h = 0;
  } else if (ampm) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (ampm === 'pm' ? 12 : 0);
  }
  if (off === undefined && iana) {
    const wall = instant(y, mo, d, h, mi, sec, 0);
    off = wall === undefined ? undefined : ianaOffset(iana, wall);
    if (off === undefined) return undefined;
  }
  return instant(y, mo, d, h, mi, sec, off ?? local);
}

// ---------------------------------------------------------------------------------------------

/**
 * A DCMI Period (dcterms:valid, "start=2002-10-13T09:00+01:00;end=2002-10-17T17:00+01:00;
 * scheme=W3C-DTF"): its start and end instants, each present only when it parses.
 */
export function parsePeriod(text: string): { start?: number; end?: number; name?: string } {
  const out: { start?: number; end?: number; name?: string } = {};
  if (typeof text !== 'string' || text.length > 500) return out;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (key === 'start' || key === 'end') {
      const t = parseDate(value);
      if (t !== undefined) out[key] = t;
    } else if (key === 'name' && value) out.name = value;
  }
  return out;
}
