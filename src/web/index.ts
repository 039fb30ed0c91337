// The web reader's look: HTML templates, the stylesheet and the one script.
export { html, trusted, escapeHtml, Html, type Part } from './html.ts';
export { assets, assetUrl } from './assets.ts';
export { dayOf, dayRange, formatTime, parseDay, shiftDay } from './time.ts';
export {
  layout, listPage, articlePage, loginPage, messagePage, subscriptionsPage, editPage, siteHref,
  type Ctx, type EntryView, type SiteView, type ListView, type ArticleView, type SubView,
} from './pages.ts';
