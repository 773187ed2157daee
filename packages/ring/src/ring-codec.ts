/**
 * The stored form of a {@link RingDesc}: JSON, one object per instance.
 *
 * Layout: `{"instances":{"<id>":{"id","addr","state","tokens":[uint32…],"heartbeatMs",
 * "registeredMs"}}}`. The decoder validates every field, so a reader never indexes a ring built
 * from a malformed entry; tokens are re-sorted and de-duplicated (the invariant of
 * {@link InstanceDesc.tokens}) rather than trusted.
 */
import { decodeError, jsonCodec, type Codec } from './kv/codec.ts';
import { INSTANCE_STATES, type InstanceDesc, type InstanceState, type RingDesc } from './types.ts';

const MAX_UINT32 = 0xffffffff;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finiteNumber(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw decodeError(`${what} is not a number`);
  return v;
}

function decodeInstance(key: string, v: unknown): InstanceDesc {
  if (!isRecord(v)) throw decodeError(`instance ${key} is not an object`);
  const { id, addr, state, tokens, heartbeatMs, registeredMs } = v;
  if (id !== key) throw decodeError(`instance ${key} has id ${String(id)}`);
  if (typeof addr !== 'string') throw decodeError(`instance ${key}: addr is not a string`);
  if (!INSTANCE_STATES.includes(state as InstanceState)) {
    throw decodeError(`instance ${key}: unknown state ${String(state)}`);
  }
  if (!Array.isArray(tokens)) throw decodeError(`instance ${key}: tokens is not an array`);
  const out: number[] = [];
  for (const t of tokens) {
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > MAX_UINT32) {
      throw decodeError(`instance ${key}: token ${String(t)} is not a uint32`);
    }
    out.push(t);
  }
  out.sort((a, b) => a - b);
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[n - 1]) out[n++] = out[i]!;
  out.length = n;
  return {
    id: key,
    addr,
    state: state as InstanceState,
    tokens: out,
    heartbeatMs: finiteNumber(heartbeatMs, `instance ${key}: heartbeatMs`),
    registeredMs: finiteNumber(registeredMs, `instance ${key}: registeredMs`),
  };
}

function validateRingDesc(parsed: unknown): RingDesc {
  if (!isRecord(parsed) || !isRecord(parsed['instances'])) {
    throw decodeError('ring description has no instances object');
  }
  // A null-prototype record: an instance id such as "__proto__" stays an ordinary key.
  const instances = Object.create(null) as Record<string, InstanceDesc>;
  for (const [key, v] of Object.entries(parsed['instances'])) instances[key] = decodeInstance(key, v);
  return { instances };
}

/** The codec of the ring description (JSON, validated on decode). */
export const ringDescCodec: Codec<RingDesc> = jsonCodec(validateRingDesc);
