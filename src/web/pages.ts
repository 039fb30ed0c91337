// The reader's pages, rendered on the server. Every page works without the
// script; the script adds keyboard shortcuts and in-place toggles.
import { assetUrl } from './assets.ts';
import { html, trusted, type Html, type Part } from './html.ts';
import { formatTime } from './time.ts';

export interface EntryView {
  id: number;
  site: string;
  title: string;
  url: string;
  when: number;
  read: boolean;
  starred: boolean;
  excerpt: string;
  /** Highlighted snippet (already escaped markup with <mark>), for search results. */
  snippet?: Html;
  /** Highlighted title markup, for search results. */
  titleHtml?: Html;
}

export interface SiteView {
  site: string;
  total: number;
  unread: number;
}

export interface Ctx {
  title: string;
  tz: string;
  /** The administrator is logged in: may change things. */
  canEdit: boolean;
  loggedIn: boolean;
  csrf?: string;
  theme?: 'dark' | 'light';
  nav?: 'all' | 'unread' | 'starred' | 'day' | 'subscriptions' | 'search';
  sites?: SiteView[];
  site?: string;
  query?: string;
  /** The path and query of this page, for "back" after a form post without script. */
  self: string;
}

const enc = encodeURIComponent;
export const siteHref = (site: string): string => `/site/${enc(site)}`;

function navLink(ctx: Ctx, key: Ctx['nav'], href: string, label: string): Html {
  return html`<a href="${href}" ${ctx.nav === key ? trusted('aria-current="page"') : ''}>${label}</a>`;
}

const SHORTCUTS: [string, string][] = [
  ['j', '下一条 next'], ['k', '上一条 previous'], ['o', '打开 open'], ['m', '已读/未读 toggle read'],
  ['s', '收藏 star'], ['/', '搜索 search'], ['?', '帮助 this help'],
];

export function layout(ctx: Ctx, body: Part, opts: { sidebar?: boolean } = {}): string {
  const sites = opts.sidebar === false || !ctx.sites ? '' : html`
    <aside class="sites" aria-label="sites">
      <h2>站点 Sites</h2>
      <ul>${ctx.sites.map((s) => html`<li><a href="${siteHref(s.site)}" ${ctx.site === s.site ? trusted('aria-current="page"') : ''}><span>${s.site}</span><span class="count" title="unread / total">${s.unread}/${s.total}</span></a></li>`)}</ul>
    </aside>`;
  const page = html`<!doctype html>
<html lang="zh-CN"${ctx.theme ? html` data-theme="${ctx.theme}"` : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${ctx.csrf ? html`<meta name="csrf-token" content="${ctx.csrf}">` : ''}
<title>${ctx.title} · feedmirror</title>
<link rel="stylesheet" href="${assetUrl('app.css')}">
<script src="${assetUrl('app.js')}" defer></script>
</head>
<body>
<a class="skip" href="#main">跳到正文 Skip to content</a>
<header class="top">
  <a class="brand" href="/">feedmirror</a>
  <nav>
    ${navLink(ctx, 'all', '/', '全部 All')}
    ${navLink(ctx, 'unread', '/?unread=1', '未读 Unread')}
    ${navLink(ctx, 'starred', '/starred', '收藏 Starred')}
    ${navLink(ctx, 'day', '/day', '每日 Daily')}
    ${ctx.canEdit ? navLink(ctx, 'subscriptions', '/subscriptions', '订阅 Feeds') : ''}
    ${ctx.canEdit ? navLink(ctx, undefined, '/settings', '设置 Settings') : ''}
  </nav>
  <form class="search" action="/search" method="get" role="search">
    <input type="search" name="q" value="${ctx.query ?? ''}" placeholder="搜索 Search (/)" aria-label="search" maxlength="500">
  </form>
  <button type="button" id="theme" class="icon" title="深色/浅色 dark/light" aria-label="toggle dark mode">◐</button>
  <button type="button" id="help-button" class="icon" title="快捷键 shortcuts (?)" aria-label="keyboard shortcuts">?</button>
  ${ctx.loggedIn
    ? html`<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">退出 Log out</button></form>`
    : html`<a href="/login?next=${enc(ctx.self)}">登录 Log in</a>`}
</header>
<div class="${opts.sidebar === false ? 'layout single' : 'layout'}">
${sites}
<main id="main">
${body}
</main>
</div>
<dialog id="help" aria-label="keyboard shortcuts">
  <form method="dialog">
    <h2>快捷键 Keyboard shortcuts</h2>
    <table>${SHORTCUTS.map(([k, v]) => html`<tr><td><kbd>${k}</kbd></td><td>${v}</td></tr>`)}</table>
    <p><button type="submit">关闭 Close</button></p>
  </form>
</dialog>
<footer class="bottom">feedmirror · ${ctx.tz}</footer>
</body>
</html>`;
  return page.value;
}

function toggles(ctx: Ctx, e: { id: number; read: boolean; starred: boolean }): Html {
  if (!ctx.canEdit) return html``;
  return html`
    <form method="post" action="/item/${e.id}/read" data-toggle="read">
      <input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="value" value="${e.read ? '0' : '1'}">
      <input type="hidden" name="back" value="${ctx.self}">
      <button type="submit" class="icon read" aria-pressed="${String(e.read)}" data-on="标为未读 unread" data-off="标为已读 read" title="m">${e.read ? '标为未读 unread' : '标为已读 read'}</button>
    </form>
    <form method="post" action="/item/${e.id}/star" data-toggle="starred">
      <input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="value" value="${e.starred ? '0' : '1'}">
      <input type="hidden" name="back" value="${ctx.self}">
      <button type="submit" class="icon star" aria-pressed="${String(e.starred)}" aria-label="star" title="s">${e.starred ? '★' : '☆'}</button>
    </form>`;
}

function entry(ctx: Ctx, e: EntryView): Html {
  return html`<li class="entry" data-id="${e.id}" data-read="${String(e.read)}" data-starred="${String(e.starred)}">
    <div>
      <h2><a href="/item/${e.id}">${e.titleHtml ?? e.title}</a></h2>
      <div class="meta"><a href="${siteHref(e.site)}">${e.site}</a> · <time datetime="${new Date(e.when).toISOString()}">${formatTime(e.when, ctx.tz)}</time></div>
    </div>
    <div class="actions">${toggles(ctx, e)}</div>
    ${e.snippet ? html`<p class="excerpt">${e.snippet}</p>` : e.excerpt ? html`<p class="excerpt">${e.excerpt}</p>` : ''}
  </li>`;
}

export interface ListView {
  heading: string;
  entries: EntryView[];
  /** Links to the older and newer pages. */
  older?: string;
  newer?: string;
  toolbar?: Part;
  empty?: string;
}

export function listPage(ctx: Ctx, v: ListView): string {
  return layout(ctx, html`
    <h1>${v.heading}</h1>
    ${v.toolbar ? html`<div class="toolbar">${v.toolbar}</div>` : ''}
    ${v.entries.length
      ? html`<ol class="entries">${v.entries.map((e) => entry(ctx, e))}</ol>`
      : html`<p class="notice">${v.empty ?? '没有条目 Nothing here.'}</p>`}
    <nav class="pager" aria-label="pages">
      <span>${v.newer ? html`<a href="${v.newer}" rel="prev">← 较新 Newer</a>` : ''}</span>
      <span>${v.older ? html`<a href="${v.older}" rel="next">较早 Older →</a>` : ''}</span>
    </nav>`);
}

export interface ArticleView extends EntryView {
  html: string;
  revisions: number;
  older?: number;
  newer?: number;
}

export function articlePage(ctx: Ctx, a: ArticleView): string {
  const wayback = `https://web.archive.org/web/*/${a.url}`;
  const archivePh = `https://archive.ph/${a.url}`;
  const safe = /^https?:\/\//i.test(a.url);
  return layout(ctx, html`
    <article class="item" data-id="${a.id}" data-read="${String(a.read)}" data-starred="${String(a.starred)}" data-can-edit="${String(ctx.canEdit)}">
      <h1>${a.title}</h1>
      <div class="meta">
        <a href="${siteHref(a.site)}">${a.site}</a>
        <time datetime="${new Date(a.when).toISOString()}">${formatTime(a.when, ctx.tz)}</time>
        ${a.revisions ? html`<span>修改过 ${a.revisions} 次 edited ${a.revisions}×</span>` : ''}
      </div>
      <div class="actions">
        ${safe ? html`<a class="button original" href="${a.url}" rel="noopener noreferrer" target="_blank">原文 Original</a>
        <a class="button" href="${wayback}" rel="noopener noreferrer" target="_blank">Wayback Machine</a>
        <a class="button" href="${archivePh}" rel="noopener noreferrer" target="_blank">archive.ph</a>` : ''}
        ${toggles(ctx, a)}
      </div>
      <div class="content" lang="zh">${trusted(a.html)}</div>
      <nav class="article-nav" aria-label="articles">
        <span>${a.newer ? html`<a href="/item/${a.newer}" rel="prev">← 较新 Newer (k)</a>` : ''}</span>
        <span>${a.older ? html`<a href="/item/${a.older}" rel="next">较早 Older (j) →</a>` : ''}</span>
      </nav>
    </article>`);
}

export function loginPage(ctx: Ctx, opts: { next: string; error?: string }): string {
  return layout(ctx, html`
    <form class="login" method="post" action="/login">
      <h1>登录 Log in</h1>
      ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
      <input type="hidden" name="next" value="${opts.next}">
      <label>管理员密码 Administrator password
        <input type="password" name="password" autocomplete="current-password" required autofocus>
      </label>
      <button type="submit" class="primary">登录 Log in</button>
    </form>`, { sidebar: false });
}

export function messagePage(ctx: Ctx, heading: string, text: string): string {
  return layout(ctx, html`<h1>${heading}</h1><p class="notice">${text}</p>`, { sidebar: false });
}

export interface SubView {
  id: number;
  url: string;
  site: string;
  category?: string;
  enabled: boolean;
  fulltext: string;
  minInterval?: number;
  maxInterval?: number;
  title?: string;
  lastFetch?: number;
  lastSuccess?: number;
  nextCheck: number;
  lastError?: string;
  errorCount: number;
  itemCount?: number;
}

const when = (ctx: Ctx, t: number | undefined): string => (t ? formatTime(t, ctx.tz) : '–');

export function subscriptionsPage(ctx: Ctx, subs: SubView[], opts: { notice?: string; error?: string; candidates?: { url: string; title?: string }[] } = {}): string {
  const hidden = html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
  return layout(ctx, html`
    <h1>订阅 Subscriptions</h1>
    ${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
    ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
    ${opts.candidates?.length ? html`<div class="notice">该页面还提供 The page also offers:<ul>${opts.candidates.map((c) => html`<li>${c.title ?? ''} <code>${c.url}</code></li>`)}</ul></div>` : ''}
    <div class="subs-forms">
      <form method="post" action="/subscriptions/add" id="add-form">
        ${hidden}
        <h2>添加 Add a feed or site</h2>
        <input type="url" name="url" required placeholder="https://example.com/" aria-label="feed or page URL">
        <input type="text" name="site" placeholder="名称 name (optional)" aria-label="name">
        <input type="text" name="category" placeholder="分类 category (optional)" aria-label="category">
        <button type="submit" class="primary">添加 Add</button>
      </form>
      <form method="post" action="/subscriptions/import" enctype="multipart/form-data" id="import-form">
        ${hidden}
        <h2>导入 Import OPML</h2>
        <input type="file" name="opml" accept=".opml,.xml,text/xml,application/xml" required aria-label="OPML file">
        <button type="submit">导入 Import</button>
      </form>
      <div class="panel">
        <h2>导出 Export</h2>
        <a class="button" href="/subscriptions/export.opml" download>下载 OPML</a>
      </div>
    </div>
    <table class="subs">
      <thead><tr><th>名称 Name</th><th class="wide">上次 Last fetch</th><th class="wide">下次 Next check</th><th>状态 Status</th><th></th></tr></thead>
      <tbody>
      ${subs.map((s) => html`<tr data-sub="${s.id}">
        <td><a href="${siteHref(s.site)}">${s.site}</a>${s.category ? html` <small>[${s.category}]</small>` : ''}${s.enabled ? '' : html` <small>(停用 disabled)</small>`}<br><small><code>${s.url}</code></small></td>
        <td class="wide">${when(ctx, s.lastFetch)}</td>
        <td class="wide">${s.enabled ? when(ctx, s.nextCheck) : '–'}</td>
        <td class="${s.lastError ? 'err' : ''}">${s.lastError ? html`${s.lastError}${s.errorCount > 1 ? html` (×${s.errorCount})` : ''}` : s.lastSuccess ? 'OK' : '未抓取 not fetched yet'}</td>
        <td><a href="/subscriptions/${s.id}">编辑 Edit</a></td>
      </tr>`)}
      </tbody>
    </table>
    ${subs.length ? '' : html`<p class="notice">还没有订阅 No subscriptions yet.</p>`}`, { sidebar: false });
}

const duration = (ms: number | undefined): string => {
  if (ms === undefined) return '';
  for (const [u, n] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) if (ms % n === 0) return `${ms / n}${u}`;
  return `${Math.round(ms / 1000)}s`;
};

export function editPage(ctx: Ctx, s: SubView, opts: { error?: string } = {}): string {
  return layout(ctx, html`
    <h1>编辑 Edit: ${s.site}</h1>
    ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
    <form class="edit" method="post" action="/subscriptions/${s.id}">
      <input type="hidden" name="_csrf" value="${ctx.csrf}">
      <label for="f-url">URL</label><input id="f-url" type="url" name="url" value="${s.url}" required>
      <label for="f-site">名称 Name</label><input id="f-site" type="text" name="site" value="${s.site}" required>
      <label for="f-cat">分类 Category</label><input id="f-cat" type="text" name="category" value="${s.category ?? ''}">
      <label for="f-min">最短间隔 Min interval</label><input id="f-min" type="text" name="minInterval" value="${duration(s.minInterval)}" placeholder="15m">
      <label for="f-max">最长间隔 Max interval</label><input id="f-max" type="text" name="maxInterval" value="${duration(s.maxInterval)}" placeholder="1d">
      <label for="f-ft">全文 Full text</label>
      <select id="f-ft" name="fulltext">${['auto', 'always', 'never'].map((m) => html`<option ${m === s.fulltext ? trusted('selected') : ''}>${m}</option>`)}</select>
      <label for="f-en">启用 Enabled</label><input id="f-en" type="checkbox" name="enabled" value="1" ${s.enabled ? trusted('checked') : ''}>
      <div class="full"><button type="submit" class="primary">保存 Save</button> <a href="/subscriptions">取消 Cancel</a></div>
    </form>
    <form method="post" action="/subscriptions/${s.id}/remove" class="panel">
      <input type="hidden" name="_csrf" value="${ctx.csrf}">
      <h2>取消订阅 Unsubscribe</h2>
      <p>已存档的文章保留 Archived items stay.</p>
      <button type="submit">取消订阅 Remove</button>
    </form>`, { sidebar: false });
}
