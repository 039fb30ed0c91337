// The settings page's section on the republished feeds: their URLs for feed
// reader apps (with the feed key on a private server) and the form that
// replaces the key.
import type { FeedLink } from '../publish/index.ts';
import { html, type Html } from '../web/index.ts';

const LABELS: Record<string, string> = { all: '全部 All items', site: '网站 Site', category: '分类 Category', search: '保存的搜索 Saved search' };

export function renderFeedSettings(opts: { links: FeedLink[]; csrf: string; publicMode: boolean; replaced?: boolean }): Html {
  const rows = opts.links.map((l) => html`<dt>${LABELS[l.kind] ?? l.kind}${l.name ? html`: ${l.name}` : ''}</dt>
<dd><code class="feed-url" style="overflow-wrap: anywhere; user-select: all">${l.rss}</code> <a href="${l.atom}">Atom</a> · <a href="${l.json}">JSON Feed</a></dd>`);
  const intro = opts.publicMode
    ? html`<p>这个阅读器是公开的，订阅源无需密钥。This reader is public: feed reader apps subscribe to these URLs as they are.</p>`
    : html`<p>把这些地址加到阅读器应用（NetNewsWire、Inoreader、newsboat、Thunderbird）。Subscribe to these URLs in feed reader apps: they carry the
feed key, so they work without logging in. Anyone who has one can read every feed of this mirror; keep them private.</p>`;
  const form = opts.publicMode
    ? ''
    : html`<form method="post" action="/settings/feeds/key">
<input type="hidden" name="_csrf" value="${opts.csrf}">
<button type="submit">换一个订阅密钥 Replace the feed key (the URLs above stop working at once)</button>
</form>`;
  return html`<section class="feed-settings" id="feeds">
<h2>订阅源 · Republished feeds</h2>
${opts.replaced ? html`<p class="notice">已换新密钥 New feed key: update the URLs in your apps.</p>` : ''}${intro}
<dl>${rows}</dl>
${form}
</section>`;
}
