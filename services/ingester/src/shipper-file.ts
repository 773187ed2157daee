/**
 * `shipper.json`: the blocks of a tenant's local `blocks/` directory already uploaded, in Thanos's
 * shipper format:
 *
 * ```json
 * { "version": 1, "uploaded": ["01H…", "01H…"] }
 * ```
 * Written atomically (temporary file, fsync, rename, fsync of the directory), so a crash leaves
 * the old or the new list. A missing or unreadable file means "nothing uploaded": the blocks are
 * then uploaded again, which overwrites the same objects (harmless).
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from '@tessera/blockstore';

/** Name of the file in the tenant's directory. */
export const SHIPPER_FILE = 'shipper.json';

/** Reads the uploaded ULIDs; an empty set when the file is missing or malformed. */
export async function readShipperFile(tenantDir: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(join(tenantDir, SHIPPER_FILE), 'utf8');
  } catch {
    return new Set();
  }
  try {
    const o = JSON.parse(text) as { version?: unknown; uploaded?: unknown };
    if (o.version !== 1 || !Array.isArray(o.uploaded)) return new Set();
    return new Set(o.uploaded.filter((u): u is string => typeof u === 'string'));
  } catch {
    return new Set();
  }
}

/** Replaces the file with `uploaded` (sorted). */
export async function writeShipperFile(tenantDir: string, uploaded: Iterable<string>): Promise<void> {
  const file = join(tenantDir, SHIPPER_FILE);
  const tmp = `${file}.tmp`;
  const text = JSON.stringify({ version: 1, uploaded: [...uploaded].sort() }, null, '\t');
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(tenantDir);
}
