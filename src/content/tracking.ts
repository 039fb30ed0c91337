// Step 3: tracking pixels, tracker embeds and tracking query parameters removed.
import type { Element } from 'domhandler';
import type { Doc } from './html.ts';

/** Query parameters that only identify a campaign or a click, never the resource. */
const TRACKING_PARAM = /^(?:utm_[a-z0-9_]+|at_(?:medium|campaign|custom\d*|link\w*|ptr_name|format|source|bbc_team|campaign_type)|fbclid|gclid|gclsrc|dclid|msclkid|yclid|igshid|twclid|mc_cid|mc_eid|spm|scm|_hsenc|_hsmi|mkt_tok|oly_enc_id|oly_anon_id|vero_id|vero_conv|wt\.mc_id|wt_mc|ocid|cmpid|__twitter_impression|ref_src|ref_url|share_source|sr_share|xtor|ns_mchannel|ns_source|ns_campaign|ns_linkname|ns_fee|s_cid|_ga|_gl)$/i;

export function isTrackingParam(name: string): boolean {
  return TRACKING_PARAM.test(name);
}

/**
 * The link without tracking parameters. Only the query is touched, textually, so a
 * link without such parameters comes back as the very same string.
 */
export function stripTracking(link: string): string {
  const q = link.indexOf('?');
  if (q < 0) return link;
  const hash = link.indexOf('#', q);
  const query = link.slice(q + 1, hash < 0 ? undefined : hash);
  const parts = query.split('&');
  const kept = parts.filter((part) => {
    const key = part.split('=')[0].replace(/\+/g, ' ');
    let name = key;
    try {
      name = decodeURIComponent(key);
    } catch {
      // a malformed escape is not a tracking parameter
    }
    return !isTrackingParam(name);
  });
  if (kept.length === parts.length) return link;
  const rest = hash < 0 ? '' : link.slice(hash);
  return link.slice(0, q) + (kept.length ? `?${kept.join('&')}` : '') + rest;
}

/**
 * The comparison form of a link for dedupe: tracking parameters and fragment gone,
 * scheme and host lower-cased, default port dropped. Not a URL when the input is not one.
 */
export function normalizeLink(link: string): string {
  const trimmed = link.trim();
  try {
    const url = new URL(stripTracking(trimmed));
    url.hash = '';
    if (url.search === '?') url.search = '';
    return url.href;
  } catch {
    return trimmed;
  }
}

const TRACKER_HOSTS = [
  'feeds.feedburner.com', 'feedproxy.google.com', 'feedburner.google.com', 'feeds.feedblitz.com',
  'doubleclick.net', 'googlesyndication.com', 'google-analytics.com', 'googletagmanager.com',
  'googleadservices.com', 'pixel.wp.com', 'stats.wordpress.com', 'feedsportal.com', 'pheedo.com',
  'scorecardresearch.com', 'quantserve.com', 'chartbeat.net', 'facebook.com/tr', 'pixel.facebook.com',
  'ads.pheedo.com', 'rss.buysellads.com', 'feeds.wordpress.com', 'imp.pixiv.net', 'hm.baidu.com',
  'cnzz.com', 'mmstat.com', 'linkedin.com/px', 'analytics.twitter.com', 'bat.bing.com', 'amazon-adsystem.com',
  'moatads.com', 'outbrain.com', 'taboola.com', 'tynt.com', 'statcounter.com', 'sitemeter.com',
];
const TRACKER_LABELS = /^(?:stats|pixel|pixels|analytics|tracking|tracker|track|beacon|counter|metrics|telemetry|ad|ads|adserver)\./;

/** True for URLs of known tracker hosts (the host itself or any subdomain). */
export function isTrackerUrl(value: string | undefined): boolean {
  if (!value) return false;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  if (TRACKER_LABELS.test(host)) return true;
  const hostPath = host + url.pathname;
  return TRACKER_HOSTS.some((t) => {
    if (t.includes('/')) return hostPath.startsWith(t) || hostPath.endsWith('.' + t) || hostPath.includes('.' + t);
    return host === t || host.endsWith('.' + t);
  });
}

function tiny(v: string | undefined): boolean {
  return v !== undefined && /^\s*[01](?:\.0*)?(?:px)?\s*$/i.test(v);
}

/** A 1x1 (or 0x0) image: both sides tiny, or one tiny and the other unset. */
export function isPixel(el: Element): boolean {
  const w = el.attribs.width;
  const h = el.attribs.height;
  if (tiny(w) && (tiny(h) || h === undefined)) return true;
  if (tiny(h) && w === undefined) return true;
  const style = el.attribs.style ?? '';
  return /(?:^|;)\s*width\s*:\s*[01]px/i.test(style) && /(?:^|;)\s*height\s*:\s*[01]px/i.test(style);
}

const LINK_TAGS = new Set(['a', 'area']);

export function removeTracking(doc: Doc): void {
  for (const el of doc.elements()) {
    if (doc.isRemoved(el)) continue;
    const a = el.attribs;
    if (el.name === 'img' && (isPixel(el) || isTrackerUrl(doc.attr(el, 'src')))) {
      // An ad link around a tracker image (feedburner ~a/) goes with it.
      const parent = el.parent as Element | null;
      if (parent && parent.name === 'a' && isTrackerUrl(parent.attribs.href) && doc.text(parent).trim() === '') doc.remove(parent);
      else doc.remove(el);
      continue;
    }
    if ((el.name === 'iframe' || el.name === 'script' || el.name === 'embed' || el.name === 'object') &&
      isTrackerUrl(a.src ?? a.data)) {
      doc.remove(el);
      continue;
    }
    if (LINK_TAGS.has(el.name) && a.href !== undefined) {
      doc.setAttr(el, 'href', stripTracking(a.href));
    }
  }
}
