export { startTessera } from './app.ts';
export type { TesseraHandle, StartOptions } from './app.ts';
export { tesseraOptions, TARGETS } from './config.ts';
export type { TesseraConfig } from './config.ts';
export { TESSERA_NODE_FLAGS } from './node-flags.ts';
