import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { decodeText, decoded, tuning } from '../../src/parse/utf8.ts';
import { DocEntities, decodeEntities, type EntityContext } from '../../src/parse/entities.ts';

function context(): EntityContext & { problems: string[] } {
  const doc = new DocEntities();
  doc.declared.set('me', 'Mé & <you>');
  doc.declared.set('ctl', '\u0001');
  const problems: string[] = [];
  return { doc, problems, problem: (m: string) => void problems.push(m) };
}

// The reference: the plain path (V8's decoder, then the string entity decoder).
function expected(bytes: Buffer, refs: boolean): { text: string; problems: string[] } {
  const ctx = context();
  const raw = bytes.toString('utf8');
  return { text: refs ? decodeEntities(raw, ctx) : raw, problems: [...new Set(ctx.problems)] };
}

function actual(bytes: Buffer, refs: boolean, valid: boolean): { text: string; problems: string[]; odd: boolean } {
  const ctx = context();
  // Decode from the middle of a larger buffer, as the scanner does.
  const padded = Buffer.concat([Buffer.from('<x>'), bytes, Buffer.from('</x>')]);
  const text = decodeText(padded, 3, 3 + bytes.length, refs ? ctx : null, valid);
  return { text, problems: [...new Set(ctx.problems)], odd: decoded.odd };
}

const odd = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;

function check(bytes: Buffer, refs: boolean): void {
  const want = expected(bytes, refs);
  // The loops for known-valid input (JavaScript, WebAssembly) run wherever the promise holds.
  const modes = isUtf8(bytes) ? ['unknown', 'valid', 'wasm'] : ['unknown'];
  const min = tuning.wasmMin;
  try {
    for (const mode of modes) {
      tuning.wasmMin = mode === 'wasm' ? 0 : Infinity;
      const got = actual(bytes, refs, mode !== 'unknown');
      assert.equal(got.text, want.text, `text of ${bytes.toString('hex')} (refs ${refs}, ${mode})`);
      assert.deepEqual(got.problems.sort(), want.problems.sort(), `problems of ${bytes.toString('hex')} (${mode})`);
      if (odd.test(got.text)) assert.ok(got.odd, `odd flag for ${JSON.stringify(got.text)} (${mode})`);
    }
  } finally {
    tuning.wasmMin = min;
  }
}

test('decodes UTF-8 text as V8 does, with references as decodeEntities does', () => {
  const cases = [
    '', 'plain ascii', '中文新闻：崔善姬与俄外长会晤', 'é and ü and ß', '😀 emoji 𠮷',
    '&lt;p&gt;x&lt;/p&gt;', '&amp;amp;', '&quot;q&quot; &apos;a&apos;', '&#20013;&#x6587;&#X6587;',
    '&#128512; &#x1F600;', '&#0; &#x; &#; &#12a; &#xD800; &#1114112;', '&#150; &#x93;', '&nbsp;&eacute;',
    '&me; &ctl;', '&unknown; &', 'AT&T', '&&&;', '& amp;', '&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;',
    '&中;', '&a中;', 'x\u0001y\u007fz\u0085w\u009f', '\u009f', '\u007f', '\u0080', '\u000b', '&#1;', 'tab\tnl\ncr\r', '\u00a0\u00ff\u0100',
  ];
  for (const c of cases) for (const refs of [true, false]) check(Buffer.from(c, 'utf8'), refs);
});

test('invalid, overlong and truncated sequences give what V8 gives', () => {
  const hex = ['ff', 'c0af', 'e080af', 'eda080', 'f4908080', 'f0', 'e4b8', 'e4b8ade6', '80', 'c2', 'f5808080', 'f09f98', 'e4b8ad26616d703b'];
  for (const h of hex) for (const refs of [true, false]) check(Buffer.from(h, 'hex'), refs);
});

test('random byte strings agree with the plain path', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = ['&', ';', '#', 'x', 'lt', 'amp', 'me', '1', 'F', 'a', ' ', '\u0001', '\u0085', '中', '😀', 'é'];
  for (let n = 0; n < 3000; n++) {
    const parts: Buffer[] = [];
    const len = rand(24);
    for (let k = 0; k < len; k++) {
      if (rand(8) === 0) parts.push(Buffer.from([rand(256)]));
      else parts.push(Buffer.from(pieces[rand(pieces.length)]!, 'utf8'));
    }
    const b = Buffer.concat(parts);
    check(b, true);
    check(b, false);
  }
});

test('large nodes and long expansions are decoded completely', () => {
  const big = Buffer.from('新闻&amp;'.repeat(300_000), 'utf8'); // 3.3 MB: over the reused buffer's limit
  check(big, true);
  const mid = Buffer.from('&me;'.repeat(50_000), 'utf8'); // expansion longer than the input
  check(mid, true);
});

test('the WebAssembly module is what utf8.wat compiles to', async () => {
  // @ts-expect-error: a plain .mjs script without type declarations
  const { compile, render } = await import('../../scripts/build-wasm.mjs');
  const { readFile } = await import('node:fs/promises');
  const committed = await readFile(new URL('../../src/parse/utf8-wasm.ts', import.meta.url), 'utf8');
  assert.equal(committed, render(await compile()));
});
