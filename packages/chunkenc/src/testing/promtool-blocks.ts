/**
 * Test-only helpers to run Debian's `promtool` and read the chunks of the blocks it writes.
 * Not exported from the package.
 *
 * Chunk segment file (`<block>/chunks/000001`, Prometheus `tsdb/docs/format/chunks.md`):
 * ```
 * magic 0x85BD40DD (4 bytes, big-endian) │ version 1 (1 byte) │ padding (3 bytes)
 * then per chunk: len <uvarint> │ encoding <1 byte> │ data <len bytes> │ CRC-32C of encoding+data (4 bytes, BE)
 * ```
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The promtool binary: Debian's, unless TESSERA_PROMTOOL names another. */
export const PROMTOOL = process.env.TESSERA_PROMTOOL ?? '/usr/bin/promtool';

const SEGMENT_MAGIC = 0x85bd40dd;

/** One chunk read from a block. */
export interface BlockChunk {
  /** `minTime` of the block (from meta.json), to order chunks independently of ULIDs. */
  blockMinTime: number;
  encoding: number;
  data: Uint8Array;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), as Prometheus checksums chunks. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC32C_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The promtool version line, or null when promtool is not installed. */
export function promtoolVersion(): string | null {
  if (!existsSync(PROMTOOL)) return null;
  const r = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
  return (r.stdout || r.stderr).split('\n')[0] ?? null;
}

/** Runs `promtool tsdb create-blocks-from openmetrics <omFile> <outDir>`; throws on failure. */
export function createBlocks(omFile: string, outDir: string): void {
  const r = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', omFile, outDir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`promtool failed (${r.status}): ${r.stderr}`);
}

/** Parses one chunk segment file, verifying magic, version and every checksum. */
export function parseSegment(file: Uint8Array, blockMinTime: number): BlockChunk[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 8 || view.getUint32(0) !== SEGMENT_MAGIC) throw new Error('bad segment magic');
  if (file[4] !== 1) throw new Error(`unsupported segment version ${file[4]}`);
  const out: BlockChunk[] = [];
  let off = 8;
  while (off < file.length) {
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const b = file[off++]!;
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const encoding = file[off]!;
    const data = file.subarray(off + 1, off + 1 + len);
    const crc = view.getUint32(off + 1 + len);
    if (crc32c(file.subarray(off, off + 1 + len)) !== crc) throw new Error(`bad chunk CRC at ${off}`);
    out.push({ blockMinTime, encoding, data });
    off += 1 + len + 4;
  }
  return out;
}

/** Reads every chunk of every block under `outDir`, blocks in time order. */
export function readBlockChunks(outDir: string): BlockChunk[] {
  const blocks = readdirSync(outDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = join(outDir, d.name);
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { minTime: number };
      return { dir, minTime: meta.minTime };
    })
    .sort((a, b) => a.minTime - b.minTime);
  const out: BlockChunk[] = [];
  for (const { dir, minTime } of blocks) {
    const chunkDir = join(dir, 'chunks');
    for (const seg of readdirSync(chunkDir).sort()) {
      out.push(...parseSegment(new Uint8Array(readFileSync(join(chunkDir, seg))), minTime));
    }
  }
  return out;
}
