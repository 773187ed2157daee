// Types for the untyped `snappyjs` package (pure-JS snappy block format), covering what we use.
declare module 'snappyjs' {
  /** snappyjs's module object. */
  const snappyjs: {
    /** Compresses in the snappy block format; returns a fresh array of the input's kind. */
    compress(input: Uint8Array): Uint8Array;
    /** Decompresses a snappy block; throws a plain Error on malformed input or when too long. */
    uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  };
  export default snappyjs;
}
