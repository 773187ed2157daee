export { ENCODING_XOR, MAX_SAMPLES_PER_CHUNK, xorChunkNumSamples } from './xor-chunk.ts';
export { XorAppender } from './xor-appender.ts';
export { XorIterator } from './xor-iterator.ts';
