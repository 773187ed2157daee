/**
 * User stats: a tenant's in-memory series and ingestion rate, as one ingester holds them, with
 * the codec of the ingester RPC `user_stats` (request: empty; response below).
 *
 * UserStatsResponse { uint64 num_series = 1; bytes ingestion_rate = 2; (float64 LE) }
 */
import { ProtoReader, ProtoWriter, RpcDecodeError } from './rpc-wire.ts';

/** One ingester's figures for a tenant. */
export interface UserStats {
  numSeries: number;
  /** Samples per second appended, smoothed over about a minute. */
  ingestionRate: number;
}

/** Encodes the response of `user_stats`. */
export function encodeUserStats(s: UserStats): Uint8Array {
  const rate = new Uint8Array(8);
  new DataView(rate.buffer).setFloat64(0, s.ingestionRate, true);
  return new ProtoWriter(32).uint(1, s.numSeries).bytes(2, rate).finish();
}

/** Decodes the response of `user_stats`. */
export function decodeUserStats(buf: Uint8Array): UserStats {
  const r = new ProtoReader(buf);
  const out: UserStats = { numSeries: 0, ingestionRate: 0 };
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x08) out.numSeries = r.uvarint();
    else if (tag === 0x12) {
      const b = r.bytes();
      if (b.length !== 8) throw new RpcDecodeError(`UserStatsResponse: ingestion_rate of ${b.length} bytes`);
      out.ingestionRate = new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
    } else r.skip(tag);
  }
  return out;
}
