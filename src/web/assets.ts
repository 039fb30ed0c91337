// The stylesheet and the one script, kept in TypeScript so that the build
// carries them along; served with a content hash in the URL and cached for good.
import { createHash } from 'node:crypto';

export const css = String.raw`
:root {
  --bg: #fbfaf7; --fg: #1f2328; --muted: #6b6f76; --line: #e4e1da; --card: #ffffff;
  --accent: #b3261e; --accent-fg: #ffffff; --link: #0b57d0; --visited: #6f3fb5; --hl: #fff3b0; --sel: #fdf0d9;
  --sans: system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
    "Source Han Sans SC", "WenQuanYi Micro Hei", "Noto Sans CJK TC", "PingFang TC", "Microsoft JhengHei", sans-serif;
  --serif: "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif;
  color-scheme: light;
}
@media (prefers-color-scheme: dark) {
  :root:not([data-theme="light"]) {
    --bg: #15171a; --fg: #e6e3dc; --muted: #9a9ea6; --line: #2c3036; --card: #1c1f23;
    --accent: #f28b82; --accent-fg: #15171a; --link: #8ab4f8; --visited: #c58af9; --hl: #5c4b00; --sel: #2a2f36;
    color-scheme: dark;
  }
}
:root[data-theme="dark"] {
  --bg: #15171a; --fg: #e6e3dc; --muted: #9a9ea6; --line: #2c3036; --card: #1c1f23;
  --accent: #f28b82; --accent-fg: #15171a; --link: #8ab4f8; --visited: #c58af9; --hl: #5c4b00; --sel: #2a2f36;
  color-scheme: dark;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.6 var(--sans);
  text-align: start; line-break: strict; overflow-wrap: break-word;
  text-autospace: normal; text-spacing-trim: normal;
}
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: var(--card); padding: 4px 8px; z-index: 10; }
header.top {
  position: sticky; top: 0; z-index: 5; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center;
  padding: 8px 16px; background: var(--card); border-bottom: 1px solid var(--line);
}
header.top .brand { font-weight: 700; color: var(--accent); letter-spacing: .02em; }
header.top nav { display: flex; gap: 12px; flex-wrap: wrap; }
header.top nav a[aria-current="page"] { font-weight: 700; color: var(--fg); }
header.top form.search { flex: 1 1 200px; display: flex; max-width: 420px; margin-left: auto; }
header.top input[type="search"] { width: 100%; }
input, select, textarea, button { font: inherit; color: inherit; }
input[type="search"], input[type="text"], input[type="url"], input[type="password"], select, textarea {
  padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg);
}
button, .button {
  padding: 5px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); cursor: pointer;
  display: inline-block; line-height: 1.4;
}
button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
button.icon { padding: 2px 8px; }
button[aria-pressed="true"].star { color: #d4a000; }
.layout { display: grid; grid-template-columns: 220px minmax(0, 1fr); gap: 24px; max-width: 1100px; margin: 0 auto; padding: 16px; }
.layout.single { grid-template-columns: minmax(0, 1fr); max-width: 960px; }
aside.sites h2 { font-size: 13px; text-transform: uppercase; color: var(--muted); margin: 8px 0; letter-spacing: .05em; }
aside.sites ul { list-style: none; padding: 0; margin: 0; }
aside.sites li a { display: flex; justify-content: space-between; gap: 8px; padding: 3px 6px; border-radius: 4px; color: var(--fg); }
aside.sites li a[aria-current="page"] { background: var(--sel); }
aside.sites .count { color: var(--muted); font-variant-numeric: tabular-nums; font-size: 13px; }
main { min-width: 0; }
main h1 { font-size: 22px; margin: 4px 0 12px; line-height: 1.4; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 12px; color: var(--muted); font-size: 14px; }
.entries { list-style: none; margin: 0; padding: 0; }
.entry { padding: 12px 10px; border-bottom: 1px solid var(--line); border-radius: 6px; display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 4px 12px; }
.entry.current { background: var(--sel); box-shadow: inset 3px 0 0 var(--accent); }
.entry h2 { font-size: 17px; margin: 0; line-height: 1.5; font-weight: 600; }
.entry[data-read="true"] h2 { font-weight: 400; }
.entry[data-read="true"] h2 a { color: var(--muted); }
.entry .meta { font-size: 13px; color: var(--muted); }
.entry .meta a { color: var(--muted); }
.entry .excerpt { grid-column: 1 / -1; margin: 0; color: var(--muted); font-size: 14px; line-height: 1.7; }
.entry .actions { display: flex; gap: 4px; align-items: start; }
.entry .actions form { margin: 0; }
.pager { display: flex; justify-content: space-between; margin: 16px 0; }
mark { background: var(--hl); color: inherit; padding: 0 1px; border-radius: 2px; }
article.item { max-width: 42em; }
article.item h1 { font-size: 26px; line-height: 1.5; margin: 8px 0; }
article.item .meta { color: var(--muted); font-size: 14px; display: flex; flex-wrap: wrap; gap: 4px 14px; margin-bottom: 16px; }
article.item .actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0 20px; }
article.item .actions form { margin: 0; }
article.item .actions button.icon { padding: 5px 12px; }
.content { font-size: 18px; line-height: 1.8; letter-spacing: .01em; text-align: start; hyphens: auto; }
.content :lang(zh), .content:lang(zh) { letter-spacing: .02em; }
.content p { margin: 0 0 1em; }
.content img, .content video, .content iframe { max-width: 100%; height: auto; border-radius: 4px; }
.content figure { margin: 1em 0; }
.content blockquote { margin: 1em 0; padding: .2em 1em; border-left: 3px solid var(--line); color: var(--muted); }
.content pre { overflow-x: auto; background: var(--card); padding: 12px; border-radius: 6px; font-size: 14px; line-height: 1.5; }
.content table { border-collapse: collapse; display: block; overflow-x: auto; }
.content td, .content th { border: 1px solid var(--line); padding: 4px 8px; }
.content a:visited { color: var(--visited); }
.article-nav { display: flex; justify-content: space-between; gap: 8px; margin: 28px 0; border-top: 1px solid var(--line); padding-top: 12px; }
.notice { padding: 10px 14px; border-radius: 6px; background: var(--sel); margin-bottom: 12px; }
.error { padding: 10px 14px; border-radius: 6px; background: #fde7e7; color: #8a1c1c; margin-bottom: 12px; }
:root[data-theme="dark"] .error { background: #4a1e1e; color: #ffd7d7; }
table.subs { width: 100%; border-collapse: collapse; font-size: 14px; }
table.subs th, table.subs td { text-align: left; padding: 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.subs td.err { color: var(--accent); max-width: 16em; overflow-wrap: anywhere; }
.subs-forms { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 16px; margin: 16px 0 24px; }
.subs-forms form, .panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
.subs-forms h2, .panel h2 { font-size: 16px; margin: 0; }
form.edit { display: grid; grid-template-columns: auto 1fr; gap: 6px 10px; align-items: center; max-width: 560px; }
form.edit .full { grid-column: 1 / -1; }
.login { max-width: 340px; margin: 10vh auto; display: flex; flex-direction: column; gap: 12px; }
dialog { border: 1px solid var(--line); border-radius: 10px; background: var(--card); color: var(--fg); max-width: 420px; }
dialog::backdrop { background: rgba(0, 0, 0, .4); }
dialog table td { padding: 3px 10px 3px 0; }
kbd { border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 4px; padding: 0 5px; font-size: 13px; background: var(--bg); }
footer.bottom { text-align: center; color: var(--muted); font-size: 13px; padding: 24px; }
@media (max-width: 760px) {
  .layout { grid-template-columns: 1fr; padding: 10px; gap: 10px; }
  aside.sites { order: 2; }
  header.top { padding: 8px 10px; }
  header.top form.search { max-width: none; flex-basis: 100%; order: 3; }
  .content { font-size: 17px; }
  article.item h1 { font-size: 22px; }
  .entry { padding: 10px 4px; }
  table.subs .wide { display: none; }
}
`;

// The one script: progressive, the pages work without it.
export const js = String.raw`
'use strict';
(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName));
  }
  function post(url, data) {
    var body = new URLSearchParams(data);
    return fetch(url, {
      method: 'POST', credentials: 'same-origin', body: body,
      headers: { 'X-CSRF-Token': csrf, 'Accept': 'application/json' }
    }).then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });
  }
  function apply(root, state) {
    if (!root) return;
    root.setAttribute('data-read', String(state.read));
    root.setAttribute('data-starred', String(state.starred));
    root.querySelectorAll('form[data-toggle]').forEach(function (f) {
      var kind = f.getAttribute('data-toggle');
      var on = !!state[kind];
      var b = f.querySelector('button');
      var v = f.querySelector('input[name="value"]');
      if (v) v.value = on ? '0' : '1';
      if (b) {
        b.setAttribute('aria-pressed', String(on));
        b.textContent = kind === 'starred' ? (on ? '★' : '☆') : (on ? b.getAttribute('data-on') : b.getAttribute('data-off'));
      }
    });
  }
  function toggle(form) {
    var root = form.closest('[data-id]');
    var data = {};
    new FormData(form).forEach(function (v, k) { data[k] = String(v); });
    return post(form.getAttribute('action'), data).then(function (s) { apply(root, s); }).catch(function () { form.submit(); });
  }
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (f && f.hasAttribute && f.hasAttribute('data-toggle')) { e.preventDefault(); toggle(f); }
  });
  // The theme: a cookie, so the server renders the right one (no flash).
  var themeBtn = document.getElementById('theme');
  if (themeBtn) themeBtn.addEventListener('click', function () {
    var root = document.documentElement;
    var cur = root.getAttribute('data-theme') || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
    var next = cur === 'dark' ? 'light' : 'dark';
    root.setAttribute('data-theme', next);
    document.cookie = 'theme=' + next + '; Path=/; Max-Age=31536000; SameSite=Lax';
  });
  var help = document.getElementById('help');
  var helpBtn = document.getElementById('help-button');
  function showHelp() { if (help && help.showModal && !help.open) help.showModal(); }
  if (helpBtn) helpBtn.addEventListener('click', showHelp);
  // An article opened by the administrator counts as read.
  var art = document.querySelector('article.item[data-id]');
  if (art && art.getAttribute('data-read') === 'false' && art.getAttribute('data-can-edit') === 'true') {
    post('/item/' + art.getAttribute('data-id') + '/read', { value: '1' }).then(function (s) { apply(art, s); }).catch(function () {});
  }
  var entries = Array.prototype.slice.call(document.querySelectorAll('.entries .entry'));
  var cur = -1;
  function select(i) {
    if (!entries.length) return;
    i = Math.max(0, Math.min(entries.length - 1, i));
    if (entries[cur]) entries[cur].classList.remove('current');
    cur = i;
    entries[cur].classList.add('current');
    entries[cur].scrollIntoView({ block: 'nearest' });
    var a = entries[cur].querySelector('h2 a');
    if (a) a.focus({ preventScroll: true });
  }
  function current() { return entries[cur] || art; }
  function click(sel) {
    var el = current();
    var f = el && el.querySelector('form[data-toggle="' + sel + '"]');
    if (f) toggle(f);
  }
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    var link;
    switch (e.key) {
      case 'j':
        if (entries.length) select(cur + 1);
        else if ((link = document.querySelector('a[rel="next"]'))) location.href = link.href;
        break;
      case 'k':
        if (entries.length) select(cur < 0 ? 0 : cur - 1);
        else if ((link = document.querySelector('a[rel="prev"]'))) location.href = link.href;
        break;
      case 'o': case 'Enter':
        if (entries[cur]) { link = entries[cur].querySelector('h2 a'); if (link) location.href = link.href; }
        else if (art && e.key === 'o' && (link = document.querySelector('a.original'))) window.open(link.href, '_blank', 'noopener,noreferrer');
        else return;
        break;
      case 'm': click('read'); break;
      case 's': click('starred'); break;
      case '/':
        link = document.querySelector('input[type="search"]');
        if (link) link.focus();
        break;
      case '?': showHelp(); break;
      default: return;
    }
    e.preventDefault();
  });
})();
`;

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);

export const assets: Record<string, { body: string; type: string; hash: string }> = {
  'app.css': { body: css, type: 'text/css; charset=utf-8', hash: hash(css) },
  'app.js': { body: js, type: 'text/javascript; charset=utf-8', hash: hash(js) },
};

/** The URL of an asset, with its hash so a new version is never served from cache. */
export const assetUrl = (name: keyof typeof assets & string): string => `/static/${name}?v=${assets[name].hash}`;
