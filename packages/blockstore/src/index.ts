/**
 * @tessera/blockstore: blocks in an object-store bucket (Thanos/Mimir layout) — upload and
 * download of block directories, tenant and block listing with deletion marks, two-step
 * deletion, and ranged reads of a block's files for BlockReader.
 */
export {
  blockObject,
  blockPrefix,
  DELETION_MARK_FILE,
  encodeDeletionMark,
  isBlockName,
  mapLimit,
  META_FILE,
  NO_COMPACT_MARK_FILE,
  parseDeletionMark,
} from './layout.ts';
export type { DeletionMark } from './layout.ts';
export { downloadBlock, downloadObject, syncDir, uploadBlock } from './transfer.ts';
export { blockLastModified, listBlocks, listBlockUlids, listTenants, readBlockMeta, readDeletionMark } from './listing.ts';
export type { BucketBlock } from './listing.ts';
export { deleteBlock, markBlockForDeletion } from './deletion.ts';
export { BucketBlockFiles } from './bucket-block-files.ts';
