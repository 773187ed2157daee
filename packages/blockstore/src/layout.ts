/**
 * The bucket layout of blocks (Thanos/Mimir-compatible):
 *
 * ```
 * <tenant>/<ULID>/chunks/000001 …   chunk segments
 * <tenant>/<ULID>/index
 * <tenant>/<ULID>/tombstones
 * <tenant>/<ULID>/meta.json          uploaded LAST: a block without it is partial and invisible
 * <tenant>/<ULID>/deletion-mark.json {"id":"<ULID>","deletion_time":<unix s>,"version":1}
 * <tenant>/<ULID>/no-compact-mark.json (optional)
 * ```
 * Other top-level directories (`rules/…`, `alertmanager/…`) hold no ULID-named sub-directories,
 * so a block listing never mistakes them for blocks.
 */
import { isUlid } from '@tessera/tsdb';

export const META_FILE = 'meta.json';
export const DELETION_MARK_FILE = 'deletion-mark.json';
export const NO_COMPACT_MARK_FILE = 'no-compact-mark.json';

/** A block's deletion mark (Thanos's `deletion-mark.json`). */
export interface DeletionMark {
  id: string;
  /** When the block was marked, unix seconds. */
  deletionTime: number;
  version: 1;
}

/** The object-name prefix of a block: `<tenant>/<ulid>/`. */
export function blockPrefix(tenant: string, ulid: string): string {
  return `${tenant}/${ulid}/`;
}

/** The object name of `file` (relative to the block dir, `/`-separated) in a block. */
export function blockObject(tenant: string, ulid: string, file: string): string {
  return `${blockPrefix(tenant, ulid)}${file}`;
}

/** True when `name` is a ULID (a block directory's name). */
export function isBlockName(name: string): boolean {
  return isUlid(name);
}

/** Encodes a deletion mark as Thanos does. */
export function encodeDeletionMark(mark: DeletionMark): string {
  return JSON.stringify({ id: mark.id, deletion_time: mark.deletionTime, version: mark.version });
}

/** Parses deletion-mark.json; null when it is malformed (a malformed mark is treated as absent). */
export function parseDeletionMark(text: string): DeletionMark | null {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const m = o as { id?: unknown; deletion_time?: unknown; version?: unknown };
  if (typeof m.id !== 'string' || !Number.isFinite(m.deletion_time) || m.version !== 1) return null;
  return { id: m.id, deletionTime: m.deletion_time as number, version: 1 };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
