export { startTessera } from './app.ts';
export type { TesseraHandle, StartOptions } from './app.ts';
export { advertisedAddress, checkTargetConfig, tesseraOptions, TARGETS } from './config.ts';
export type { Target, TesseraConfig } from './config.ts';
export { TESSERA_NODE_FLAGS } from './node-flags.ts';
