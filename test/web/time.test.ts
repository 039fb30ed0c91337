// Dates in the reader's time zone: the quarter-hour offset cache against Intl, and day ranges across DST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayOf, dayRange, formatTime, parseDay, shiftDay } from '../../src/web/index.ts';

test('formatTime agrees with Intl across a year of DST changes', () => {
  for (const tz of ['America/New_York', 'Australia/Lord_Howe', 'Asia/Shanghai', 'Asia/Kathmandu']) {
    const f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 97 * 60_000 + 13_000) {
      assert.equal(formatTime(t, tz), f.format(t).replace(', ', ' '), `${tz} ${new Date(t).toISOString()}`);
    }
  }
});

test('day ranges: 24 hours, 23 on the spring-forward day; the reference item is on the 30th in Shanghai', () => {
  assert.deepEqual(dayRange('2024-10-30', 'Asia/Shanghai'), { from: Date.UTC(2024, 9, 29, 16), to: Date.UTC(2024, 9, 30, 16) });
  const spring = dayRange('2024-03-10', 'America/New_York')!;
  assert.equal(spring.to - spring.from, 23 * 3_600_000);
  assert.equal(dayOf(1730302743000, 'Asia/Shanghai'), '2024-10-30');
  assert.equal(dayOf(1730302743000, 'America/New_York'), '2024-10-30');
  assert.equal(dayOf(Date.UTC(2024, 9, 30, 17), 'Asia/Shanghai'), '2024-10-31');
});

test('bad days are refused; shifting crosses months and years', () => {
  for (const bad of ['2024-02-30', '2024-13-01', '24-10-30', '2024-10-30x', '', 'today']) assert.equal(parseDay(bad), undefined, bad);
  assert.equal(dayRange('2023-02-29', 'UTC'), undefined);
  assert.equal(shiftDay('2024-12-31', 1), '2025-01-01');
  assert.equal(shiftDay('2024-03-01', -1), '2024-02-29');
});
