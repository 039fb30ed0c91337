// The Markdown archive: item files, per-site lists, atomic writes, git publishing.
export {
  type ArchiveItem,
  ArchiveFormatError,
  renderItem,
  readItem,
  pickTime,
  htmlLine,
  escapeTitle,
  unescapeTitle,
  escapeUrl,
  unescapeUrl,
} from './format.ts';
export { FIRST_ID, MAX_NAME_BYTES, siteDirName, itemFileName, parseItemFileName, cutBytes } from './names.ts';
export { type ListEntry, type ListOptions, LIST_LIMIT, renderList, monthDay, itemLink } from './list.ts';
export { writeFileAtomic, cleanupTemp, syncDir, tempName } from './atomic.ts';
export { Archive, ArchiveError, type ArchiveOptions, type ItemFile, type NewItem } from './archive.ts';
export { publish, commitMessage, type PublishOptions, type PublishResult } from './git.ts';
export { checkArchive, type CheckReport } from './check.ts';
