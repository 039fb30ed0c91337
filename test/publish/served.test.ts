// The archive files as served: the path guard, missing files, the cleaning and the cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderItem } from '../../src/archive/index.ts';
import { Lru, Served } from '../../src/publish/index.ts';

const TEMPLATE = 'https://img.example/p?u={url_encoded}';
const BODY = '<p>Hello <img src="https://example.org/a.png"></p><script>alert(1)</script><a href="https://example.org/more" onclick="x()">more</a>';
let dir: string;
let root: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fm-served-'));
  root = join(dir, 'archive');
  mkdirSync(join(root, 'articles', 'example.org'), { recursive: true });
  writeFileSync(join(root, 'articles', 'example.org', '1.md'), renderItem({ title: 'One', url: 'https://example.org/posts/1', html: BODY, time: 1_700_000_000_000 }));
  writeFileSync(join(root, 'articles', 'example.org', 'junk.md'), 'not an archive item\n');
  // Beside the archive, not in it: a path from the index must not reach it.
  writeFileSync(join(dir, 'outside.md'), renderItem({ title: 'Outside', url: 'https://example.org/x', html: '<p>secret</p>' }));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const ref = (path: string, contentHash = 'h1') => ({ id: 1, contentHash, path, url: 'https://example.org/posts/1' });

test('Lru drops the least recently used key', () => {
  const lru = new Lru<number>(2);
  lru.set('a', 1);
  lru.set('b', 2);
  assert.equal(lru.get('a'), 1); // a is now the newest
  lru.set('c', 3);
  assert.equal(lru.get('b'), undefined);
  assert.equal(lru.get('a'), 1);
  assert.equal(lru.get('c'), 3);
  lru.set('a', 10); // replacing keeps one entry
  lru.set('d', 4);
  assert.equal(lru.get('c'), undefined);
  assert.equal(lru.get('a'), 10);
});

test('file: reads an item under the root; nothing for paths that leave it, missing or unreadable files', () => {
  const s = new Served({ root });
  assert.equal(s.file('articles/example.org/1.md')?.title, 'One');
  assert.equal(s.file('../outside.md'), undefined);
  assert.equal(s.file('articles/../../outside.md'), undefined);
  assert.equal(s.file(join(dir, 'outside.md')), undefined);
  assert.equal(s.file(''), undefined);
  assert.equal(s.file('articles/example.org/2.md'), undefined);
  assert.equal(s.file('articles/example.org/junk.md'), undefined);
  assert.equal(s.file('articles'), undefined);
});

test('html: images rewritten, sanitized', () => {
  const html = new Served({ root, images: { mode: 'template', template: TEMPLATE } }).html(ref('articles/example.org/1.md'));
  assert.ok(html);
  assert.doesNotMatch(html, /<script|onclick|alert/);
  assert.match(html, /src="https:\/\/img\.example\/p\?u=https%3A%2F%2Fexample\.org%2Fa\.png"/);
  assert.match(html, /<a href="https:\/\/example\.org\/more"[^>]*>more<\/a>/);
});

test('html: undefined for a missing file or one outside the archive', () => {
  const s = new Served({ root, cache: 8 });
  assert.equal(s.html(ref('articles/example.org/2.md')), undefined);
  assert.equal(s.html(ref('../outside.md')), undefined);
});

test('html: cached by id and content hash when a cache is given', () => {
  const file = join(root, 'articles', 'example.org', 'c.md');
  writeFileSync(file, renderItem({ title: 'C', url: 'https://example.org/c', html: '<p>first</p>' }));
  const cached = new Served({ root, cache: 8 });
  const uncached = new Served({ root });
  assert.match(cached.html(ref('articles/example.org/c.md')) ?? '', /first/);
  assert.match(uncached.html(ref('articles/example.org/c.md')) ?? '', /first/);
  writeFileSync(file, renderItem({ title: 'C', url: 'https://example.org/c', html: '<p>second</p>' }));
  assert.match(cached.html(ref('articles/example.org/c.md')) ?? '', /first/);
  assert.match(cached.html(ref('articles/example.org/c.md', 'h2')) ?? '', /second/);
  assert.match(uncached.html(ref('articles/example.org/c.md')) ?? '', /second/);
});

test('read: the parsed file with its served HTML', () => {
  const r = new Served({ root }).read({ path: 'articles/example.org/1.md', url: 'https://example.org/posts/1' });
  assert.equal(r?.file.title, 'One');
  assert.equal(r?.file.time, 1_700_000_000_000);
  assert.doesNotMatch(r?.html ?? '<script', /<script/);
  assert.equal(new Served({ root }).read({ path: '../outside.md', url: 'https://example.org/x' }), undefined);
});
