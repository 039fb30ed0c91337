// The cleaning chain: each step a function of (html, options) -> html, run in one
// fixed order with the sanitizer last. Steps before it only splice the source, so
// a step with nothing to do returns its input as the same string.
import { Doc, MAX_DEPTH, nestingDepth, plainText } from './html.ts';
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
type DocStep = (doc: Doc, options: CleanOptions) => void;

function base(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

// Steps 1-5 edit one parsed Doc in turn (one parse for all of them); the sanitizer gets its text.
const DOC_STEPS: Record<Exclude<StepName, 'sanitize'>, DocStep> = {
  urls: (doc, o) => absolutizeUrls(doc, base(o.baseUrl)),
  lazy: (doc) => resolveLazy(doc),
  tracking: (doc) => removeTracking(doc),
  rules: (doc, o) => applyRules(doc, o.rules ?? BUILTIN_RULES),
  images: (doc, o) => rewriteImages(doc, imageRewriter(o.images)),
};

function alone(step: DocStep): Step {
  return (html, options) => {
    const doc = new Doc(html);
    step(doc, options);
    return doc.toString();
  };
}

/** Step 1: relative URLs made absolute against the item link; empty anchors dropped. */
export const absolutizeStep: Step = alone(DOC_STEPS.urls);
/** Step 2: lazy-loading attributes turned into src/srcset. */
export const lazyStep: Step = alone(DOC_STEPS.lazy);
/** Step 3: tracking pixels, tracker embeds and tracking link parameters removed. */
export const trackingStep: Step = alone(DOC_STEPS.tracking);
/** Step 4: promo footers and boilerplate removed by rules. */
export const rulesStep: Step = alone(DOC_STEPS.rules);
/** Step 5: image URLs rewritten. */
export const imagesStep: Step = alone(DOC_STEPS.images);
/** Step 6: allow-list sanitizer. */
export const sanitizeStep: Step = (html) => sanitize(html);

/** Each step on its own, string to string (what cleanHtml does, one step at a time). */
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
  if (run.size === 0) return html;
  if (nestingDepth(html, MAX_DEPTH) > MAX_DEPTH) {
    options.onError?.([...run][0], new Error(`HTML nested deeper than ${MAX_DEPTH} levels: kept as plain text`));
    return plainText(html);
  }
  let out = html;
  const edits = STEPS.filter((s): s is Exclude<StepName, 'sanitize'> => s !== 'sanitize' && run.has(s));
  if (edits.length) {
    let doc: Doc | undefined;
    try {
      doc = new Doc(html);
    } catch (e) {
      options.onError?.(edits[0], e);
    }
    if (doc) {
      for (const name of edits) {
        try {
          DOC_STEPS[name](doc, options);
        } catch (e) {
          options.onError?.(name, e);
        }
      }
      try {
        out = doc.toString();
      } catch (e) {
        options.onError?.(edits[edits.length - 1], e);
      }
    }
  }
  if (run.has('sanitize')) {
    try {
      out = sanitize(out);
    } catch (e) {
      options.onError?.('sanitize', e);
      return ''; // fail closed
    }
  }
  return out;
}
