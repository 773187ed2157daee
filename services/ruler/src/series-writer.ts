/**
 * Writes rule results through the distributor, as a remote-write 1.0 request, so that recorded
 * series and ALERTS pass the same validation and per-tenant limits as pushed data.
 *
 * The WriteRequest protobuf is encoded here directly (labels sorted by name, float samples only):
 * three message types of two or three fields each, not worth protobufjs on every evaluation.
 * Layout: WriteRequest{1: repeated TimeSeries}; TimeSeries{1: repeated Label, 2: repeated Sample};
 * Label{1: name, 2: value}; Sample{1: double value, 2: int64 timestamp}.
 */
import { snappyCompress } from '@tessera/remotewrite';
import type { OutSample, SeriesWriter } from './eval-types.ts';

/** What the writer needs of the distributor (its `push`). */
export interface PushTarget {
  push(tenant: string, body: Uint8Array): { problems: string[] } | Promise<{ problems: string[] }>;
}

const stale = new Float64Array(1);
new Uint32Array(stale.buffer).set([0x00000002, 0x7ff00000]);
/** Prometheus's staleness marker: the NaN 0x7ff0000000000002, written when a series ends. */
export const STALE_NAN: number = stale[0]!;

const utf8 = new TextEncoder();

/** A growable protobuf writer for the few wire types the WriteRequest needs. */
class PbWriter {
  buf = new Uint8Array(4096);
  view = new DataView(this.buf.buffer);
  len = 0;

  #ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  varint(v: number): void {
    this.#ensure(10);
    // Timestamps exceed 32 bits: divide instead of shifting.
    let x = v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }

  bytes(field: number, b: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(b.length);
    this.#ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  double(field: number, v: number): void {
    this.varint((field << 3) | 1);
    this.#ensure(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  int64(field: number, v: number): void {
    this.varint(field << 3);
    this.varint(v);
  }

  take(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Encodes samples as an uncompressed remote-write WriteRequest (one series per sample). */
export function encodeSamples(samples: readonly OutSample[]): Uint8Array {
  const req = new PbWriter();
  for (const s of samples) {
    const ts = new PbWriter();
    for (const name of Object.keys(s.labels).sort()) {
      const l = new PbWriter();
      l.bytes(1, utf8.encode(name));
      l.bytes(2, utf8.encode(s.labels[name]!));
      ts.bytes(1, l.take());
    }
    const smp = new PbWriter();
    smp.double(1, s.value);
    smp.int64(2, s.timestampMs);
    ts.bytes(2, smp.take());
    req.bytes(1, ts.take());
  }
  return req.take();
}

/** A {@link SeriesWriter} over a distributor's push. */
export function distributorWriter(target: PushTarget): SeriesWriter {
  return {
    async write(tenant, samples) {
      if (samples.length === 0) return [];
      const outcome = await target.push(tenant, snappyCompress(encodeSamples(samples)));
      return outcome.problems;
    },
  };
}
