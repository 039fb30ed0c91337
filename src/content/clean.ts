// The cleaning chain: each step a function of (html, options) -> html, run in one
// fixed order with the sanitizer last. Steps before it only splice the source, so
// a step with nothing to do returns its input as the same string.
import { Doc } from './html.ts';
import { absolutizeUrls } from './urls.ts';
import { resolveLazy } from './lazy.ts';
import { removeTracking } from './tracking.ts';
import { applyRules, BUILTIN_RULES, type Rule } from './rules.ts';
import { imageRewriter, rewriteImages, type ImageOptions } from './images.ts';
import { sanitize } from './sanitize.ts';

/** The steps, in the order they always run. */
export const STEPS = ['urls', 'lazy', 'tracking', 'rules', 'images', 'sanitize'] as const;
export type StepName = (typeof STEPS)[number];

export interface CleanOptions {
  /** The item link: base for relative URLs. Ignored when it is not an absolute http(s) URL. */
  baseUrl?: string;
  /** Boilerplate rules (default BUILTIN_RULES; pass `[...BUILTIN_RULES, ...mine]` to extend). */
  rules?: readonly Rule[];
  /** Image URL rewriting (default none). */
  images?: ImageOptions;
  /** Which steps run ('all' by default); 'none' or [] returns the input unchanged. Order is always STEPS order. */
  steps?: 'all' | 'none' | readonly StepName[];
  /** Told about a step that failed on this input; the step is then skipped (the sanitizer never is). */
  onError?: (step: StepName, error: unknown) => void;
}

type Step = (html: string, options: CleanOptions) => string;

function edit(fn: (doc: Doc, options: CleanOptions) => void): Step {
  return (html, options) => {
    const doc = new Doc(html);
    fn(doc, options);
    return doc.toString();
  };
}

function base(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** Step 1: relative URLs made absolute against the item link; empty anchors dropped. */
export const absolutizeStep: Step = edit((doc, o) => absolutizeUrls(doc, base(o.baseUrl)));
/** Step 2: lazy-loading attributes turned into src/srcset. */
export const lazyStep: Step = edit((doc) => resolveLazy(doc));
/** Step 3: tracking pixels, tracker embeds and tracking link parameters removed. */
export const trackingStep: Step = edit((doc) => removeTracking(doc));
/** Step 4: promo footers and boilerplate removed by rules. */
export const rulesStep: Step = edit((doc, o) => applyRules(doc, o.rules ?? BUILTIN_RULES));
/** Step 5: image URLs rewritten. */
export const imagesStep: Step = (html, o) => {
  const rewriter = imageRewriter(o.images);
  if (!rewriter) return html;
  const doc = new Doc(html);
  rewriteImages(doc, rewriter);
  return doc.toString();
};
/** Step 6: allow-list sanitizer. */
export const sanitizeStep: Step = (html) => sanitize(html);

export const STEP_FUNCTIONS: Record<StepName, Step> = {
  urls: absolutizeStep,
  lazy: lazyStep,
  tracking: trackingStep,
  rules: rulesStep,
  images: imagesStep,
  sanitize: sanitizeStep,
};

function selected(steps: CleanOptions['steps']): Set<StepName> {
  if (steps === undefined || steps === 'all') return new Set(STEPS);
  if (steps === 'none') return new Set();
  for (const s of steps) if (!STEPS.includes(s)) throw new Error(`unknown cleaning step "${s}" (known: ${STEPS.join(', ')})`);
  return new Set(steps);
}

/** Cleans hostile HTML from a feed for display: see docs/content.md for the steps. */
export function cleanHtml(html: string, options: CleanOptions = {}): string {
  if (typeof html !== 'string') throw new TypeError('cleanHtml: html must be a string');
  const run = selected(options.steps);
  // Validate the image options up front: a bad template is a configuration error, not a per-item one.
  if (run.has('images')) imageRewriter(options.images);
  let out = html;
  for (const name of STEPS) {
    if (!run.has(name)) continue;
    if (name === 'sanitize') {
      try {
        out = sanitize(out);
      } catch (e) {
        options.onError?.(name, e);
        return ''; // fail closed
      }
      continue;
    }
    try {
      out = STEP_FUNCTIONS[name](out, options);
    } catch (e) {
      options.onError?.(name, e);
    }
  }
  return out;
}
