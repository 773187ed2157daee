/**
 * The sorted token → instance index of a ring description.
 *
 * Layout: `tokens[i]` ascending; `owners[i]` is the index in `ids` of the instance that
 * registered `tokens[i]`. Should two instances ever claim the same token (impossible through
 * the lifecycler's CAS, but a hand-edited store can do it), both entries are kept, ordered by
 * instance id, so every reader resolves the tie the same way.
 */
import type { RingDesc } from './types.ts';

/** The sorted token index of a ring. */
export interface TokenIndex {
  /** Instance ids, sorted; `owners` values index into it. */
  readonly ids: readonly string[];
  readonly tokens: Uint32Array;
  readonly owners: Uint32Array;
}

/** Builds the token index of `desc`. */
export function buildTokenIndex(desc: RingDesc): TokenIndex {
  const ids = Object.keys(desc.instances).sort();
  let n = 0;
  for (const id of ids) n += desc.instances[id]!.tokens.length;
  const pairs = new Float64Array(n);
  // Sort (token, owner) pairs as one number each: token · 2^20 + owner index. Exact in a double
  // (2^52 < 2^53) for up to 2^20 instances, and ordered by token, then by id.
  let k = 0;
  ids.forEach((id, o) => {
    for (const t of desc.instances[id]!.tokens) pairs[k++] = t * 1048576 + o;
  });
  pairs.sort();
  const tokens = new Uint32Array(n);
  const owners = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const p = pairs[i]!;
    const o = p % 1048576;
    owners[i] = o;
    tokens[i] = (p - o) / 1048576;
  }
  return { ids, tokens, owners };
}

/** True if `desc` has exactly the instances and tokens that `index` was built from. */
export function sameTokens(desc: RingDesc, index: TokenIndex): boolean {
  const ids = Object.keys(desc.instances);
  if (ids.length !== index.ids.length) return false;
  let n = 0;
  for (const id of index.ids) {
    const inst = desc.instances[id];
    if (inst === undefined) return false;
    n += inst.tokens.length;
  }
  if (n !== index.tokens.length) return false;
  // Same ids and count: compare each instance's tokens with the index's entries for it.
  const seen = new Uint32Array(index.ids.length);
  for (let i = 0; i < n; i++) {
    const o = index.owners[i]!;
    const inst = desc.instances[index.ids[o]!]!;
    // Per owner, the index lists tokens in ascending order, as InstanceDesc.tokens does.
    if (inst.tokens[seen[o]!] !== index.tokens[i]) return false;
    seen[o]!++;
  }
  return true;
}

/** Position of the first token strictly greater than `token` (wrapping to 0 past the end). */
export function searchToken(tokens: Uint32Array, token: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]! > token) hi = mid;
    else lo = mid + 1;
  }
  return lo === tokens.length ? 0 : lo;
}
