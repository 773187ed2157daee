// Protobuf wire-format primitives for the hand-written decoder.
//
// A field is a tag varint (field number << 3 | wire type) followed by its payload:
//   0 varint (1–10 bytes, 7 bits each, low group first, high bit = more follows)
//   1 fixed64 (8 bytes LE)   2 length-delimited (varint length, then bytes)
//   3 start group … 4 end group (deprecated; a nested field list closed by the matching end tag)
//   5 fixed32 (4 bytes LE)   6, 7 invalid
// Every read is bounded by an explicit `end` (the end of the enclosing message), never by
// buf.length alone, so a field cannot run past its message.
//
// Functions that read a value and advance return the value and leave the new position in
// `wire.pos`: one module-level scratch slot instead of an allocated {value, pos} pair.

import { RemoteWriteDecodeError } from './errors.ts';

/** Scratch output of the readers below: the position just after the value read last. */
export const wire = { pos: 0 };

/** Throws the decoder's error for malformed protobuf. Never returns. */
export function fail(message: string, at: number): never {
  throw new RemoteWriteDecodeError('invalid-protobuf', `invalid WriteRequest protobuf at byte ${at}: ${message}`);
}

/**
 * Reads an unsigned varint of up to 10 bytes at `pos` (< end) as a JS number, exact below 2^53
 * (ample for tags and lengths, which are range-checked by their callers).
 */
export function readVarint(buf: Uint8Array, pos: number, end: number): number {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) fail('truncated varint', pos);
    const b = buf[pos++]!;
    value += (b & 0x7f) * mul;
    if (b < 0x80) {
      wire.pos = pos;
      return value;
    }
    mul *= 128;
  }
  return fail('varint longer than 10 bytes', pos);
}

/** Reads a varint and returns its low 32 bits as a signed int32 (how int32/enum fields decode). */
export function readVarintInt32(buf: Uint8Array, pos: number, end: number): number {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) fail('truncated varint', pos);
    const b = buf[pos++]!;
    // Groups 0–4 cover bits 0–34; bits past 31 fall off the shift, as int32 truncation wants.
    if (i < 5) value |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      wire.pos = pos;
      return value;
    }
  }
  return fail('varint longer than 10 bytes', pos);
}

/**
 * Reads a field tag at `pos` (< end), leaving the position after it in wire.pos. Tags are
 * at most 32 bits (field numbers up to 2^29 − 1), so callers may use `tag >>> 3` and `tag & 7`.
 */
export function readTag(buf: Uint8Array, pos: number, end: number): number {
  const t = buf[pos]!;
  if (t < 0x80) {
    wire.pos = pos + 1;
    return t;
  }
  const v = readVarint(buf, pos, end);
  if (v > 0xffffffff) fail('tag wider than 32 bits', pos);
  return v;
}

/** Deepest group nesting accepted when skipping, so hostile input cannot exhaust the stack. */
const MAX_GROUP_DEPTH = 32;

/**
 * Skips the payload of a field whose tag was just read (`pos` is after the tag) and returns the
 * position after it. `knownMask` has bit n set for each field number n < 32 the enclosing
 * message declares: such a field reaching here came with the wrong wire type, which is an
 * error (as in Prometheus's decoder) rather than an unknown field to skip.
 */
export function skipField(buf: Uint8Array, pos: number, end: number, tag: number, knownMask: number): number {
  const field = Math.floor(tag / 8);
  if (field === 0 || field > 0x1fffffff) fail(`invalid field number ${field}`, pos);
  if (field < 32 && ((knownMask >>> field) & 1) !== 0) fail(`wrong wire type ${tag & 7} for field ${field}`, pos);
  return skipPayload(buf, pos, end, tag, 0);
}

function skipPayload(buf: Uint8Array, pos: number, end: number, tag: number, depth: number): number {
  switch (tag & 7) {
    case 0:
      readVarint(buf, pos, end);
      return wire.pos;
    case 1:
      if (end - pos < 8) fail('truncated fixed64', pos);
      return pos + 8;
    case 2: {
      const len = readVarint(buf, pos, end);
      pos = wire.pos;
      if (len > end - pos) fail(`length ${len} overruns the message`, pos);
      return pos + len;
    }
    case 3: {
      if (depth >= MAX_GROUP_DEPTH) fail('groups nested too deep', pos);
      const field = Math.floor(tag / 8);
      for (;;) {
        if (pos >= end) fail('unterminated group', pos);
        const t = readVarint(buf, pos, end);
        pos = wire.pos;
        const f = Math.floor(t / 8);
        if (f === 0 || f > 0x1fffffff) fail(`invalid field number ${f}`, pos);
        if ((t & 7) === 4) {
          if (f !== field) fail(`end group ${f} closes group ${field}`, pos);
          return pos;
        }
        pos = skipPayload(buf, pos, end, t, depth + 1);
      }
    }
    case 4:
      return fail('end group without start group', pos);
    case 5:
      if (end - pos < 4) fail('truncated fixed32', pos);
      return pos + 4;
    default:
      return fail(`invalid wire type ${tag & 7}`, pos);
  }
}

/**
 * Reads a length prefix at `pos` and returns the end of the payload it announces, leaving the
 * payload's start in `wire.pos`. Throws when the payload would overrun `end`.
 */
export function readLengthEnd(buf: Uint8Array, pos: number, end: number): number {
  if (pos >= end) fail('missing length', pos);
  let len = buf[pos]!;
  if (len < 0x80) pos++;
  else {
    len = readVarint(buf, pos, end);
    pos = wire.pos;
  }
  if (len > end - pos) fail(`length ${len} overruns the message`, pos);
  wire.pos = pos;
  return pos + len;
}
