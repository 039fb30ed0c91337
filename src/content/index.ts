// Content cleaning: hostile feed HTML in, HTML safe to show a reader out.
export {
  cleanHtml, STEPS, STEP_FUNCTIONS, absolutizeStep, lazyStep, trackingStep, rulesStep, imagesStep, sanitizeStep,
  type CleanOptions, type StepName,
} from './clean.ts';
export { BUILTIN_RULES, parseRules, type Rule } from './rules.ts';
export { templateRewriter, imageRewriter, imageUrls, PLACEHOLDERS, type ImageOptions, type ImageRewriter } from './images.ts';
export { normalizeLink, stripTracking, isTrackingParam, isTrackerUrl } from './tracking.ts';
export { absolutize, parseSrcset, serializeSrcset } from './urls.ts';
export { sanitize, embedUrl, safeUrl, filterStyle, ALLOWED_TAGS, ALLOWED_ATTRIBUTES, ALLOWED_STYLES } from './sanitize.ts';
export { MAX_DEPTH } from './html.ts';
