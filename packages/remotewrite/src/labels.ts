// Turning label bytes of a DecodedWriteRequest into strings, validating UTF-8 on the way.
// Label names and values are almost always short ASCII; that path avoids TextDecoder (whose
// call and subarray cost about twice the decode itself for strings this short).

import type { DecodedWriteRequest } from './decoded-write-request.ts';
import { RemoteWriteDecodeError } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strings up to this length are built char by char; V8 keeps such concatenations flat. */
const SHORT_ASCII = 12;

// A Buffer view of the last decoded body, for Buffer's native latin1 slicing of long ASCII
// strings (for ASCII bytes latin1 is exact). One view per request body, made on first use.
let viewOf: Uint8Array | null = null;
let view: Buffer = Buffer.alloc(0);

function bufferView(buf: Uint8Array): Buffer {
  if (viewOf !== buf) {
    view = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    viewOf = buf;
  }
  return view;
}

/**
 * Decodes buf[start, end) as UTF-8. Throws RemoteWriteDecodeError `invalid-utf8` when the bytes
 * are not valid UTF-8 (overlong forms, surrogates and truncated sequences included).
 */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end && buf[i]! < 0x80) i++;
  if (i === end) {
    if (end - start <= SHORT_ASCII) {
      let s = '';
      for (let p = start; p < end; p++) s += String.fromCharCode(buf[p]!);
      return s;
    }
    return bufferView(buf).toString('latin1', start, end);
  }
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch (cause) {
    throw new RemoteWriteDecodeError('invalid-utf8', `string at byte ${start} is not valid UTF-8`, { cause });
  }
}

/** Returns the name of label `k` of a decoded request as a string (throws `invalid-utf8`). */
export function labelName(out: DecodedWriteRequest, k: number): string {
  return decodeUtf8(out.buf, out.nameStart[k]!, out.nameEnd[k]!);
}

/** Returns the value of label `k` of a decoded request as a string (throws `invalid-utf8`). */
export function labelValue(out: DecodedWriteRequest, k: number): string {
  return decodeUtf8(out.buf, out.valueStart[k]!, out.valueEnd[k]!);
}
