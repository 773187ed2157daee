/**
 * CRC-32C (Castagnoli), the checksum of WAL records and, later, of block index and chunk files.
 *
 * Reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF (the iSCSI / ext4 /
 * Prometheus-TSDB convention), computed slicing-by-8: eight 256-entry tables let the inner loop
 * consume 8 bytes per iteration with 8 independent table loads instead of 8 dependent ones.
 */

/** Reflected Castagnoli polynomial. */
const POLY = 0x82f63b78;

/**
 * TABLES[k * 256 + b] is the CRC contribution of byte b followed by k zero bytes.
 * Invariant: TABLES[0..255] is the classic byte-at-a-time table.
 */
const TABLES = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c >>> 0;
  }
  for (let b = 0; b < 256; b++) {
    let c = t[b]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + b] = c >>> 0;
    }
  }
  return t;
}

/**
 * The CRC-32C of `buf[start..end)`, as an unsigned 32-bit number.
 *
 * `init` is the CRC of the bytes that precede this range (0 for none), so that
 * `crc32c(b, m, n, crc32c(b, 0, m)) === crc32c(b, 0, n)`: a checksum can be computed in pieces.
 */
export function crc32c(buf: Uint8Array, start = 0, end: number = buf.length, init = 0): number {
  const t = TABLES;
  let c = ~init;
  let i = start;
  // Slicing-by-8 main loop. Bytes are combined little-endian into two words; the first word is
  // XORed with the running CRC, and each of the 8 bytes then goes through the table that shifts it
  // past the bytes that follow it in this group.
  const end8 = end - 8;
  while (i <= end8) {
    const lo = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    const hi = buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24);
    c =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^
      t[512 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
    i += 8;
  }
  while (i < end) {
    c = t[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
    i++;
  }
  return ~c >>> 0;
}
