// The mirror: feeds in, a deduplicated, revision-keeping Markdown archive out.
export {
  Mirror, type MirrorOptions, type ReextractResult, type StageTimings, type Target, type IngestResult, type ReconcileReport, type CycleResult, type ImportResult, type Log,
} from './mirror.ts';
export { prepare, contentHash, textHtml, plainText, type Prepared } from './prepare.ts';
export { startMirror, runOnce, archiveRoot, makeMirror, makeFetcher, finishReextract, targetsOf, type MirrorHandle, type StartOptions, type OnceOptions, type OnceResult, type MirrorEvents } from './run.ts';
export { STARTER, seedStarter, type StarterFeed } from './starter.ts';
export { diffVersions, diffLines, htmlLines, inlineDiff, type Version, type Op } from './diff.ts';
export { lockDataDir, LockedError } from './lock.ts';
export { FullText, wantsPage, visibleLength, isTruncated, savePage, loadPage, FULLTEXT_MODES, type FulltextMode, type FullTextOptions, type FetchSettings, type Outcome, type Page } from './fulltext.ts';
export { layout, fillTemplate, checkTemplate, dateLine, splitLead, DEFAULT_TEMPLATE, TEMPLATE_PLACEHOLDERS } from './template.ts';
