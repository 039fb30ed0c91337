// The static mirror site builder (feedmirror site build).
export { buildSite, slug, SiteError, type SiteOptions, type SiteReport } from './build.ts';
export { docTokens, words, shardOf } from './tokens.ts';
