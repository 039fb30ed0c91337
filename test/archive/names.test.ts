import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cutBytes, itemFileName, itemLink, parseItemFileName, readItem, siteDirName } from '../../src/archive/index.ts';

const SHARED = path.resolve(import.meta.dirname, '../../../shared');
const CORPUS = path.join(SHARED, 'corpus');
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** What any file or directory name we produce must satisfy on Linux, macOS and Windows. */
function assertSafe(name: string, max = 200): void {
  assert.ok(name.length > 0, 'empty name');
  assert.ok(bytes(name) <= max, `${bytes(name)} bytes: ${name}`);
  assert.doesNotMatch(name, /[<>:"/\\|?*\x00-\x1F\x7F-\x9F]/, name);
  assert.doesNotMatch(name, /[. ]$/, name);
  assert.doesNotMatch(name, /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i, name);
  assert.notEqual(name, '.');
  assert.notEqual(name, '..');
  assert.equal(name, name.normalize('NFC'));
  assert.ok(!/[\uD800-\uDFFF]/.test(name.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')), 'lone surrogate');
}

test('item file names of the corpus: <id>_<title>.md, reserved characters in their full-width form', () => {
  const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) as {
    files: { path: string; origin: { path: string } }[];
  };
  let same = 0;
  const mapped: string[] = [];
  for (const f of manifest.files) {
    if (!f.path.startsWith('markdown-archive/articles/')) continue;
    const original = path.posix.basename(f.origin.path);
    const m = /^(\d+)_(.*)\.md$/.exec(original);
    if (!m) continue; // the 2024 item is named <id>.md
    const title = readItem(readFileSync(path.join(CORPUS, f.path), 'utf8')).title;
    const name = itemFileName(Number(m[1]), title);
    assertSafe(name);
    if (name === original) same++;
    else mapped.push(name);
  }
  assert.equal(same, 25);
  assert.deepEqual(mapped.sort(), [
    '0399164_【网络民议】领导写了四分之三 伤情汇报写了四分之一.md', // ids have seven digits
    '0400971_德国之声 ｜ 长平观察： 从主旋律到正能量——思想谋杀的进化.md',
    '1047991_抵制遣返国际学生 美多所大学控告政府.md', // the title is trimmed in the file, as here
    '1048441_美国政府政策立场社论： 中国攻击宗教自由.md',
  ]);
});

test('item file names of the voa list entries are reproduced', () => {
  const list = readFileSync(path.join(CORPUS, 'markdown-archive/lists/voa.md'), 'utf8');
  let n = 0;
  let colons = 0;
  for (const m of list.matchAll(/^\d+-\d+ \[(.*)\]\(\/articles\/美国之音\/(.*)\)$/gm)) {
    const file = decodeURIComponent(m[2]);
    const name = itemFileName(parseItemFileName(file)!, m[1]);
    // The one reserved character there is ":" (one title); it becomes "："
    if (file.includes(':')) colons++;
    assert.equal(name, file.replace(/:/g, '：'));
    assertSafe(name);
    assert.equal(itemLink('美国之音', file), `/articles/美国之音/${m[2]}`);
    n++;
  }
  assert.equal(n, 100);
  assert.equal(colons, 1);
});

test('Windows reserved characters, device names, dots and spaces', () => {
  assert.equal(itemFileName(1048575, 'a<b>c:d"e/f\\g|h?i*j'), '1048575_a＜b＞c：d＂e／f＼g｜h？i＊j.md');
  assert.equal(itemFileName(1048575, '  U.S. ...  '), '1048575_U.S.md');
  assert.equal(itemFileName(1048575, 'line\nbreak\ttab\x00\x1b\u202Eevil'), '1048575_line break tabevil.md');
  assert.equal(itemFileName(1048575, ''), '1048575.md');
  assert.equal(itemFileName(1048575, ' \n. '), '1048575.md');
  assert.equal(itemFileName(7, 'x'), '0000007_x.md');
  for (const dev of ['CON', 'con', 'Nul', 'PRN', 'AUX', 'COM1', 'com9', 'LPT1', 'lpt¹', 'CONIN$', 'nul.txt', 'CON .md', 'AUX ']) {
    const dir = siteDirName(dev);
    assertSafe(dir);
    assert.ok(dir.startsWith('_'), dev);
  }
  assert.equal(siteDirName('CONSOLE'), 'CONSOLE');
  assert.equal(siteDirName('COM10'), 'COM10');
  assert.equal(siteDirName('美国之音'), '美国之音');
  assert.equal(siteDirName('RTI 中央廣播電臺'), 'RTI 中央廣播電臺');
  assert.equal(siteDirName('..'), '．．');
  assert.equal(siteDirName('../../etc'), '．．／..／etc'); // one name, no separator left
  assert.equal(siteDirName('.git'), '．git');
  assert.equal(siteDirName('site. . '), 'site');
  assert.throws(() => siteDirName(''), RangeError);
  assert.throws(() => siteDirName(' \x00 '), RangeError);
  assert.throws(() => itemFileName(-1, 'x'), RangeError);
  assert.throws(() => itemFileName(1.5, 'x'), RangeError);
});

test('long Chinese titles are cut to the byte bound on a character boundary', () => {
  const name = itemFileName(1048575, '中'.repeat(300));
  assert.equal(name, `1048575_${'中'.repeat(63)}.md`); // 11 + 63 * 3 = 200 bytes
  assert.equal(bytes(name), 200);
  const mixed = itemFileName(1048575, 'ab' + '国'.repeat(100));
  assert.ok(bytes(mixed) <= 200 && bytes(mixed) >= 198, String(bytes(mixed)));
  assert.ok(mixed.endsWith('国.md'));
  // Emoji sequences are not cut in the middle.
  const family = '👨‍👩‍👧'; // 18 bytes
  const em = itemFileName(1, family.repeat(20), 100);
  assert.equal(em, `0000001_${family.repeat(4)}.md`);
  assert.equal(itemFileName(1, 'x'.repeat(300), 50), `0000001_${'x'.repeat(39)}.md`);
  assert.equal(cutBytes('e\u0301e\u0301', 3), 'e\u0301');
  assertSafe(siteDirName('站'.repeat(300)));
  assert.equal(bytes(siteDirName('站'.repeat(300))), 198);
});

test('names are NFC', () => {
  assert.equal(itemFileName(1, 'Cafe\u0301'), '0000001_Café.md');
  assert.equal(siteDirName('Cafe\u0301'), 'Café');
  assert.equal(itemFileName(1, '\u1100\u1161'), '0000001_가.md');
});

test('parseItemFileName', () => {
  assert.equal(parseItemFileName('1047781_华为在英国“出局”日期有可能更为提前.md'), 1047781);
  assert.equal(parseItemFileName('1010634.md'), 1010634);
  assert.equal(parseItemFileName('0000007_x.md'), 7);
  assert.equal(parseItemFileName('.1047781_x.md.tmp-1-abcdefabcdef'), undefined);
  assert.equal(parseItemFileName('README.md'), undefined);
  assert.equal(parseItemFileName('12x.md'), undefined);
});

test('random names are always safe (seeded)', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const alphabet = [...'<>:"/\\|?* .\t\n\x00\x1f\x7f\u0085\u202e', 'a', 'Z', '中', '国', 'e\u0301', '😀', '\uD800', 'CON', 'nul', '..'];
  for (let k = 0; k < 3000; k++) {
    const s = Array.from({ length: rand(90) }, () => alphabet[rand(alphabet.length)]).join('');
    assertSafe(itemFileName(rand(0x100000), s, 40 + rand(200)), 240);
    const max = 10 + rand(200);
    try {
      const dir = siteDirName(s, max);
      assertSafe(dir, max);
      assert.equal(siteDirName(dir, max), dir); // a directory name given back as a site name stays
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
});
