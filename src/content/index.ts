// Content cleaning: hostile feed HTML in, HTML safe to show a reader out.
export {
  cleanHtml, STEPS, STEP_FUNCTIONS, absolutizeStep, lazyStep, trackingStep, rulesStep, imagesStep, sanitizeStep,
  type CleanOptions, type StepName,
} from './clean.ts';
export { BUILTIN_RULES, parseRules, type Rule } from './rules.ts';
export {
  templateRewriter, proxyRewriter, assetsRewriter, imageRewriter, imageUrls, rewriteImages, PLACEHOLDERS,
  type ImageOptions, type ImageRewriter, type ImageMode, type ImagesSettings,
} from './images.ts';
export {
  createImageProxy, nodeImageHandler, signImageUrl, verifyImagePath, imageSecret, imageOptions, fetchImage, sniffImage,
  refererFor, ImageCache, BUILTIN_REFERERS, IMAGE_MAX_BYTES, DEFAULT_PREFIX as IMAGE_PREFIX,
  type ImageProxy, type ImageProxyOptions, type ImageRequest, type ImageResponse, type ImageFetch, type CachedImage,
} from './proxy.ts';
export { localizeImages, assetPath, type LocalizeOptions, type LocalizeResult, type SavedAsset } from './assets.ts';
export { normalizeLink, stripTracking, isTrackingParam, isTrackerUrl } from './tracking.ts';
export { absolutize, parseSrcset, serializeSrcset } from './urls.ts';
export { sanitize, embedUrl, safeUrl, filterStyle, ALLOWED_TAGS, ALLOWED_ATTRIBUTES, ALLOWED_STYLES } from './sanitize.ts';
export { MAX_DEPTH } from './html.ts';
