// A minimal protobuf writer for tests: builds exact wire bytes by hand (odd field orders,
// unknown fields, non-minimal varints, NaN payloads) that protobufjs would never produce.
// Test support only; not exported from index.ts.

/** Encodes an unsigned varint; bigint values are taken modulo 2^64 (two's complement for negatives). */
export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** Encodes a field tag. */
export function tag(field: number, wireType: number): number[] {
  return varint(field * 8 + wireType);
}

/** A varint field (int64 negatives as 10 bytes). */
export function varintField(field: number, value: number | bigint): number[] {
  return [...tag(field, 0), ...varint(value)];
}

/** A length-delimited field holding `payload`. */
export function bytesField(field: number, payload: number[] | Uint8Array): number[] {
  return [...tag(field, 2), ...varint(payload.length), ...payload];
}

/** A string field (UTF-8). */
export function stringField(field: number, s: string): number[] {
  return bytesField(field, new TextEncoder().encode(s));
}

/** A fixed64 field from a 64-bit pattern (e.g. a double's bits). */
export function fixed64Field(field: number, bits: bigint): number[] {
  const out = tag(field, 1);
  for (let i = 0n; i < 8n; i++) out.push(Number((bits >> (8n * i)) & 0xffn));
  return out;
}

/** A double field holding `value`. */
export function doubleField(field: number, value: number): number[] {
  const b = new Float64Array([value]);
  return fixed64Field(field, new BigUint64Array(b.buffer)[0]!);
}

/** A fixed32 field. */
export function fixed32Field(field: number, value: number): number[] {
  return [...tag(field, 5), value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

/** A group field (wire types 3 … 4) around already-encoded inner fields. */
export function groupField(field: number, inner: number[]): number[] {
  return [...tag(field, 3), ...inner, ...tag(field, 4)];
}

/** A Label message field (TimeSeries.labels = 1). */
export function labelField(name: string, value: string): number[] {
  return bytesField(1, [...stringField(1, name), ...stringField(2, value)]);
}

/** A Sample message field (TimeSeries.samples = 2) with a timestamp and the value's raw bits. */
export function sampleField(timestamp: number | bigint, valueBits: bigint): number[] {
  return bytesField(2, [...fixed64Field(1, valueBits), ...varintField(2, timestamp)]);
}

/** A WriteRequest holding one TimeSeries whose body is `seriesBody`. */
export function oneSeriesRequest(seriesBody: number[]): Uint8Array {
  return new Uint8Array(bytesField(1, seriesBody));
}
