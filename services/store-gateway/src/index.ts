/**
 * @tessera/store-gateway: the store read path — blocks in the bucket, discovered per tenant,
 * their indexes cached on local disk, chunks fetched with ranged gets — answering the querier's
 * reads next to the ingesters.
 */
export { BucketStore } from './bucket-store.ts';
export type { BucketStoreDeps, BucketStoreSettings } from './bucket-store.ts';
export { bucketStoreOptions, bucketStoreConfigFromOptions } from './options.ts';
export type { BucketStoreConfig, BucketStoreOptionValues } from './options.ts';
export { ingesterWithin, storeAfter } from './time-split.ts';
export type { QueryReader } from './time-split.ts';
export { mergeChunkLists } from './merge-chunks.ts';
