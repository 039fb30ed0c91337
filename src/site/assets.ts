// The static site's own files: one style sheet and the search page's script.
// The script mirrors tokens.ts (same Segmenter, same pieces, same fallback).

export const STYLE_CSS = `:root { color-scheme: light dark; --fg: #1d1d1f; --bg: #fdfdfb; --muted: #6b6b70; --link: #1a56a8; --line: #e3e3e0; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e6e3; --bg: #17181a; --muted: #9a9aa0; --link: #8ab4f8; --line: #333538; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; color: var(--fg); background: var(--bg);
  font: 17px/1.75 -apple-system, "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", system-ui, sans-serif; }
a { color: var(--link); text-decoration: none; } a:hover { text-decoration: underline; }
header.top { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: baseline; border-bottom: 1px solid var(--line); padding-bottom: .5rem; margin-bottom: 1rem; }
header.top .brand { font-weight: 700; margin-right: auto; }
h1 { font-size: 1.5rem; line-height: 1.4; } h2 { font-size: 1.15rem; }
ul.items { list-style: none; padding: 0; } ul.items li { padding: .45rem 0; border-bottom: 1px solid var(--line); }
.meta { color: var(--muted); font-size: .85rem; display: block; }
ul.sites, ul.days { columns: 2; padding-left: 1.2rem; }
nav.pages { display: flex; justify-content: space-between; margin: 1rem 0; }
article.body img, article.body video { max-width: 100%; height: auto; }
article.body { overflow-wrap: anywhere; }
form.search { display: flex; gap: .5rem; } form.search input { flex: 1; font: inherit; padding: .3rem .5rem; }
footer { color: var(--muted); font-size: .8rem; margin-top: 2rem; border-top: 1px solid var(--line); padding-top: .5rem; }
`;

export const SEARCH_JS = `// feedmirror static search: segments the query as the build segmented the
// articles (Intl.Segmenter), loads only the index shards its words need, and
// intersects their postings. Results are written as text, never as HTML.
(() => {
  'use strict';
  const seg = new Intl.Segmenter('zh', { granularity: 'word' });
  const HAN = /\\p{sc=Han}/u;
  const PIECES = /[^\\s\\p{P}\\p{S}]+/gu;
  const form = document.getElementById('q-form');
  const input = document.getElementById('q');
  const list = document.getElementById('results');
  const status = document.getElementById('status');
  const cache = new Map();
  const json = (url) => {
    if (!cache.has(url)) cache.set(url, fetch(url).then((r) => { if (!r.ok) throw new Error(url + ': HTTP ' + r.status); return r.json(); }));
    return cache.get(url);
  };
  const meta = () => json('search/meta.json');

  function words(text) {
    const out = [];
    for (const m of text.normalize('NFKC').toLowerCase().matchAll(PIECES)) {
      const piece = m[0];
      for (let i = 0; i < piece.length; i += 64) {
        for (const s of seg.segment(piece.slice(i, i + 64))) if (s.isWordLike && s.segment.length <= 32) out.push(s.segment);
      }
    }
    return out;
  }
  function intersect(a, b) {
    const out = [];
    for (let i = 0, j = 0; i < a.length && j < b.length;) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }
  async function postings(token) {
    const m = await meta();
    const shard = await json('search/ix-' + (token.codePointAt(0) % m.shards) + '.json');
    const deltas = Object.prototype.hasOwnProperty.call(shard, token) ? shard[token] : null;
    if (!deltas) return null;
    let acc = 0;
    return deltas.map((d) => (acc += d));
  }
  // A Chinese word the build cut differently in context: all of its characters.
  async function wordPostings(w) {
    const p = await postings(w);
    if (p || !HAN.test(w) || [...w].length < 2) return p || [];
    let acc = null;
    for (const c of w) {
      if (!HAN.test(c)) continue;
      const q = (await postings(c)) || [];
      acc = acc ? intersect(acc, q) : q;
    }
    return acc || [];
  }
  async function run(query) {
    list.replaceChildren();
    // Traditional characters as the index holds them (Simplified).
    const t2s = await json('search/t2s.json');
    const simple = Array.from(query, (c) => (Object.prototype.hasOwnProperty.call(t2s, c) ? t2s[c] : c)).join('');
    const ws = [...new Set(words(simple))];
    if (!ws.length) { status.textContent = ''; return; }
    status.textContent = '搜索中… searching…';
    let acc = null;
    for (const w of ws) {
      const p = await wordPostings(w);
      acc = acc ? intersect(acc, p) : p;
      if (!acc.length) break;
    }
    const m = await meta();
    const shown = acc.slice(0, m.limit);
    for (const n of shown) {
      const d = (await json('search/docs-' + Math.floor(n / m.chunk) + '.json'))[n % m.chunk];
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = d[3];
      a.textContent = d[0];
      const span = document.createElement('span');
      span.className = 'meta';
      span.textContent = d[1] + ' · ' + d[2];
      li.append(a, span);
      list.append(li);
    }
    status.textContent = acc.length + ' 条结果 (results)' + (acc.length > shown.length ? ', ' + shown.length + ' shown' : '');
  }
  const fail = (err) => { status.textContent = '搜索失败 search failed: ' + err.message; };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    history.replaceState(null, '', '?q=' + encodeURIComponent(input.value));
    run(input.value).catch(fail);
  });
  const q = new URLSearchParams(location.search).get('q');
  if (q) { input.value = q; run(q).catch(fail); }
})();
`;
