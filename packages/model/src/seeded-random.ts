/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every
 * run, so generated test data, fuzz inputs and benchmark datasets are reproducible. Not for
 * anything that must be unpredictable (ring tokens in production use the OS's CSPRNG).
 */

/** Uniform uint32 values from `seed`. */
export function seededRandomUint32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform floats in [0, 1) from `seed` (the uint32 sequence of {@link seededRandomUint32} ÷ 2³²). */
export function seededRandom(seed: number): () => number {
  const next = seededRandomUint32(seed);
  return () => next() / 4294967296;
}
