import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parseDate, parsePeriod } from '../../src/parse/date.ts';
import { decode } from '../../src/parse/encoding.ts';

interface Row {
  input: string;
  expected_utc: string | null;
  format_hint: string;
  note?: string;
}

const rows: Row[] = JSON.parse(fs.readFileSync(new URL('../../../shared/conformance/dates.json', import.meta.url), 'utf8')).dates;

/** The instant as "YYYY-MM-DDThh:mm:ssZ", or null. */
function utc(text: string): string | null {
  const t = parseDate(text);
  if (t === undefined) return null;
  assert.equal(typeof t, 'number');
  assert.ok(Number.isFinite(t), `finite for ${text}`);
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

test('conformance dates.json: every row', () => {
  assert.ok(rows.length >= 80);
  const failed: string[] = [];
  for (const r of rows) {
    const got = utc(r.input);
    if (got !== r.expected_utc) failed.push(`${JSON.stringify(r.input)} (${r.format_hint}): got ${got}, want ${r.expected_utc}`);
  }
  assert.deepEqual(failed, []);
});

test('RFC 822 and its real-world variants', () => {
  const cases: [string, string][] = [
    ['Mon, 02 Jan 2006 15:04:05 GMT', '2006-01-02T15:04:05Z'],
    ['02 Jan 2006 15:04:05 +0000', '2006-01-02T15:04:05Z'], // no weekday
    ['Mon, 02 Jan 06 15:04:05 GMT', '2006-01-02T15:04:05Z'], // 2-digit year
    ['Mon, 02 Jan 99 15:04:05 GMT', '1999-01-02T15:04:05Z'], // 2-digit year, last century
    ['Mon 02 Jan 2006 15:04:05 GMT', '2006-01-02T15:04:05Z'], // comma missing
    ['Mon,  2  Jan  2006  15:04  GMT', '2006-01-02T15:04:00Z'], // extra spaces, no seconds
    ['Mon, 02 Jan 2006 15:04:05 UT', '2006-01-02T15:04:05Z'],
    ['Mon, 02 Jan 2006 15:04:05 Z', '2006-01-02T15:04:05Z'],
    ['Mon, 02 Jan 2006 15:04:05 A', '2006-01-02T16:04:05Z'], // military, RFC 822 signs
    ['Mon, 02 Jan 2006 15:04:05 N', '2006-01-02T14:04:05Z'],
    ['Mon, 02 Jan 2006 15:04:05 GMT+8', '2006-01-02T07:04:05Z'],
    ['Mon, 02 Jan 2006 15:04:05 +08:00', '2006-01-02T07:04:05Z'],
    ['Mon, 02 Jan 2006 15:04:05 JST', '2006-01-02T06:04:05Z'],
    ['Mon, 02 Jan 2006 15:04:05 +0800 CST', '2006-01-02T07:04:05Z'], // numeric offset wins
    ['Jan 02 2006 15:04:05 PST', '2006-01-02T23:04:05Z'], // month before day
    ['Monday, 02-Jan-06 15:04:05 MST', '2006-01-02T22:04:05Z'], // RFC 850
    ['Mon Jan  2 15:04:05 2006', '2006-01-02T15:04:05Z'], // asctime
    ['Mon Jan 02 2006 15:04:05 GMT+0100 (Central European Standard Time)', '2006-01-02T14:04:05Z'], // JS toString
    ['Mon, 02 Jan 2006 15:04:05 Asia/Shanghai', '2006-01-02T07:04:05Z'], // IANA name
    ['Mon, 02 Jan 2006 10:04:05 PM', '2006-01-02T22:04:05Z'],
    ['02 January 2006', '2006-01-02T00:00:00Z'],
    ['January 2, 2006', '2006-01-02T00:00:00Z'],
    ['Lun, 02 Janv 2006 15:04:05 +0100', '2006-01-02T14:04:05Z'], // French abbreviations
  ];
  for (const [input, want] of cases) assert.equal(utc(input), want, input);
});

test('W3C-DTF and ISO 8601', () => {
  const cases: [string, string][] = [
    ['2006-01-02T15:04:05Z', '2006-01-02T15:04:05Z'],
    ['2006-01-02t15:04:05z', '2006-01-02T15:04:05Z'],
    ['2006-01-02T15:04:05.999999+08:00', '2006-01-02T07:04:05Z'], // fractions dropped, not rounded
    ['2006-01-02T15:04:05+0800', '2006-01-02T07:04:05Z'],
    ['2006-01-02T15:04:05+08', '2006-01-02T07:04:05Z'],
    ['2006-01-02T15:04', '2006-01-02T15:04:00Z'],
    ['2006-01-02 15:04:05 +08:00', '2006-01-02T07:04:05Z'],
    ['20060102', '2006-01-02T00:00:00Z'], // basic
    ['20060102T150405Z', '2006-01-02T15:04:05Z'],
    ['2006-002', '2006-01-02T00:00:00Z'], // ordinal
    ['2006002', '2006-01-02T00:00:00Z'],
    ['2006-W01-1', '2006-01-02T00:00:00Z'], // week date: Monday of week 1
    ['2004-W53-7', '2005-01-02T00:00:00Z'],
    ['2006/01/02 15:04:05', '2006-01-02T15:04:05Z'],
    ['2006.01.02', '2006-01-02T00:00:00Z'],
    ['2004-02-29', '2004-02-29T00:00:00Z'],
  ];
  for (const [input, want] of cases) assert.equal(utc(input), want, input);
});

test('Chinese and Korean forms without zone are local time there (UTC+8, UTC+9)', () => {
  assert.equal(utc('2020年7月11日 10:30'), '2020-07-11T02:30:00Z');
  assert.equal(utc('2020年07月11日 10:30:15'), '2020-07-11T02:30:15Z');
  assert.equal(utc('2020年7月11日'), '2020-07-10T16:00:00Z');
  assert.equal(utc('2020年7月11日 星期六 下午3:05'), '2020-07-11T07:05:00Z');
  assert.equal(utc('2020年7月11日 上午10:30'), '2020-07-11T02:30:00Z');
  assert.equal(utc('2020年7月11日 10:30 +0000'), '2020-07-11T10:30:00Z'); // an explicit zone wins
  assert.equal(utc('2020년 7월 11일 (토) 10:30'), '2020-07-11T01:30:00Z');
  // ISO-shaped strings without zone stay UTC, whoever writes them (conformance rows demand it).
  assert.equal(utc('2020-07-11 10:30:00'), '2020-07-11T10:30:00Z');
});

test('epoch numbers: 10-digit seconds and 13-digit milliseconds', () => {
  assert.equal(utc('1594434600'), '2020-07-11T02:30:00Z');
  assert.equal(parseDate('1594434600123'), 1594434600000);
  assert.equal(utc('159443460'), null); // 9 digits: neither
  assert.equal(utc('20200711103000'), '2020-07-11T10:30:00Z'); // 14 digits: YYYYMMDDhhmmss
  assert.equal(utc('20201311103000'), null);
});

test('out-of-range or malformed fields are rejected, never adjusted', () => {
  for (const input of [
    '2006-13-02', '2006-00-10', '2006-02-30', '2005-02-29', '1900-02-29', '2006-04-31',
    '2006-01-02T24:00:00Z', '2006-01-02T23:60:00Z', '2006-01-02T15:04:05+19:00', '2006-01-02T15:04:05+08:60',
    'Mon, 32 Jan 2006 15:04:05 GMT', 'Mon, 30 Feb 2006 15:04:05 GMT', 'Mon, 02 Foo 2006 15:04:05 GMT',
    'Mon, 02 Jan 2006 25:04:05 GMT', 'Mon, 02 Jan 2006 15:04:05 +2500', 'Mon, 02 Jan 2006 15:04:05 XYZ',
    'Mon, 02 Jan 2006 13:04:05 PM', '11/07/2020', '02 Jan', '15:04:05', 'yesterday',
  ]) {
    assert.equal(utc(input), null, input);
  }
  assert.equal(utc('2006'), '2006-01-01T00:00:00Z');
  assert.equal(utc('13/07/2020'), '2020-07-13T00:00:00Z'); // day > 12: unambiguous
});

test('never throws, whatever the input', () => {
  const weird = [
    '', ' ', '\u0000', 'T', '-', '+', ':', '9'.repeat(200), '2006-01-02T'.repeat(20), '(((((', ')', 'Mon,,,,',
    '\uFFFD\uFFFD', '𝟚𝟘𝟘𝟞', '２０２０年７月１１日', 'Etc/Nowhere', 'Mon, 02 Jan 2006 15:04:05 Mars/Olympus',
  ];
  for (const s of weird) assert.doesNotThrow(() => parseDate(s), s);
  assert.equal(parseDate(undefined as unknown as string), undefined);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = '0123456789-:+ TZ,./年月日MonJanGMT';
  for (let i = 0; i < 2000; i++) {
    let s = '';
    for (let j = 0, n = Math.floor(rnd() * 30); j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    const t = parseDate(s);
    assert.ok(t === undefined || Number.isFinite(t), s);
  }
});

test('DCMI periods (dcterms:valid)', () => {
  const p = parsePeriod('start=2002-10-13T09:00+01:00;end=2002-10-17T17:00+01:00;scheme=W3C-DTF');
  assert.equal(new Date(p.start!).toISOString(), '2002-10-13T08:00:00.000Z');
  assert.equal(new Date(p.end!).toISOString(), '2002-10-17T16:00:00.000Z');
  assert.deepEqual(parsePeriod('end=2002-10-17T17:00+01:00; scheme=W3C-DTF'), { end: Date.parse('2002-10-17T16:00:00Z') });
  assert.deepEqual(parsePeriod('name=Q1; start=garbage'), { name: 'Q1' });
  assert.deepEqual(parsePeriod(''), {});
});

test('Thai dates (also Buddhist Era years)', () => {
  assert.equal(utc('พฤ., 03 พ.ย. 2005 21:24:18 +0000'), '2005-11-03T21:24:18Z');
  assert.equal(utc('3 มี.ค. 2548'), '2005-03-03T00:00:00Z'); // March, not ม.ค. (January)
  assert.equal(utc('3 ม.ค. 2548'), '2005-01-03T00:00:00Z');
});

test('every date element of the real-world corpus parses (except those without a year)', () => {
  const dir = new URL('../../../shared/corpus/feeds/', import.meta.url);
  const re = /<((?:[a-z]+:)?(?:pubDate|lastBuildDate|updated|published|date|modified|issued|created))>\s*(?:<!\[CDATA\[)?([^<\]]{1,80}?)(?:\]\]>)?\s*<\/\1>/g;
  let n = 0;
  const failed: string[] = [];
  for (const f of fs.readdirSync(dir)) {
    const doc = Buffer.from(decode(fs.readFileSync(new URL(f, dir))).utf8).toString('utf8');
    for (const m of doc.matchAll(re)) {
      n++;
      if (parseDate(m[2]) === undefined && !/^\d\d\/\d\d \d{1,2}:\d\d [ap]m$/.test(m[2])) failed.push(`${f}: ${m[2]}`);
    }
  }
  assert.ok(n > 6500, `${n} dates`);
  assert.deepEqual(failed, []);
});
