/**
 * TenantBlocks: one tenant's blocks between the head and the bucket.
 *
 * Life of a range: cut into `<tenantDir>/blocks/<ULID>` (the head keeps the samples) → uploaded
 * with meta.json last, its ULID added to `shipper.json` → after the keep period the head drops
 * everything before the cut point (Head.truncate: memory and a WAL checkpoint) → the local block
 * directory is deleted and its ULID leaves `shipper.json`. So every sample is at every moment in
 * the head (and WAL) or in the bucket — queries never miss a range — and a crash at any step
 * loses nothing: an unshipped local block is uploaded after the restart, a shipped one is only
 * cleaned up.
 *
 * The cut point `cutUpTo` (everything in the head before it is in local or shipped blocks) may
 * drive Head.truncate only while no sample can arrive before it, i.e. while it is at most the
 * head's oldest acceptable time (maxT − range/2). A regular cut keeps that invariant for as long
 * as the WAL holds the newest samples. At start it is checked again after the WAL replay: a local
 * block ending past the oldest acceptable time (a partial range cut by a flush on shutdown whose
 * upload failed, or a head that lost its WAL) is still uploaded but does not let the head drop
 * its range; the head cuts that range again later, and the duplicate samples are merged by the
 * compactor and de-duplicated by queries.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bucket } from '@tessera/objstore';
import { uploadBlock } from '@tessera/blockstore';
import { isUlid, parseMeta, type Head } from '@tessera/tsdb';
import type { Logger } from '@tessera/server';
import { cutBlock, flushRanges, nextCutRange, type TimeRange } from './block-cut.ts';
import type { FlushMetrics } from './flush-metrics.ts';
import { readShipperFile, writeShipperFile } from './shipper-file.ts';

/** A block in the tenant's local `blocks/` directory. */
export interface LocalBlock {
  readonly ulid: string;
  readonly minTime: number;
  readonly maxTime: number;
  shipped: boolean;
  /** When the upload completed (ms; the load time for blocks found uploaded at start). */
  shippedAt: number;
  /** Whether the head may drop the block's range once it is shipped (see the module comment). */
  readonly truncates: boolean;
}

/** Most ranges cut from one head in one check (a head far behind catches up over several). */
const MAX_CUTS_PER_CHECK = 64;

/** The blocks of one tenant; see the module comment. Methods must not run concurrently. */
export class TenantBlocks {
  readonly tenant: string;
  readonly tenantDir: string;
  readonly blocksDir: string;
  /** Everything the head holds before this is in blocks (−Infinity: nothing cut). */
  cutUpTo = -Infinity;
  /** Local blocks, oldest range first. */
  readonly blocks: LocalBlock[] = [];
  readonly #log: Logger;
  readonly #metrics: FlushMetrics;

  private constructor(tenant: string, tenantDir: string, log: Logger, metrics: FlushMetrics) {
    this.tenant = tenant;
    this.tenantDir = tenantDir;
    this.blocksDir = join(tenantDir, 'blocks');
    this.#log = log;
    this.#metrics = metrics;
  }

  /**
   * Reads the tenant's local blocks and `shipper.json` after its head was replayed: removes
   * leftovers of interrupted block writes, deletes local copies of uploaded blocks the head no
   * longer needs, and sets the cut point from the blocks that may drive truncation.
   */
  static async load(tenant: string, tenantDir: string, head: Head, now: number, log: Logger, metrics: FlushMetrics): Promise<TenantBlocks> {
    const tb = new TenantBlocks(tenant, tenantDir, log, metrics);
    const uploaded = await readShipperFile(tenantDir);
    let entries: string[] = [];
    try {
      entries = await readdir(tb.blocksDir);
    } catch {
      // No blocks directory yet.
    }
    const oldestAcceptable = head.state.minValidTime();
    for (const name of entries) {
      const dir = join(tb.blocksDir, name);
      if (!isUlid(name)) {
        if (name.endsWith('.tmp-for-creation')) await rm(dir, { recursive: true, force: true });
        continue;
      }
      let minTime: number;
      let maxTime: number;
      try {
        const meta = parseMeta(await readFile(join(dir, 'meta.json'), 'utf8'));
        minTime = meta.minTime;
        maxTime = meta.maxTime;
      } catch (err) {
        log.warn({ err, tenant, block: name }, 'ignoring a local block without a readable meta.json');
        continue;
      }
      const shipped = uploaded.has(name);
      const truncates = maxTime <= oldestAcceptable;
      if (shipped && !truncates) {
        // In the bucket, and the head keeps (and will cut again) its range: nothing left to do.
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      tb.blocks.push({ ulid: name, minTime, maxTime, shipped, shippedAt: now, truncates });
      if (truncates && maxTime > tb.cutUpTo) tb.cutUpTo = maxTime;
    }
    tb.blocks.sort((a, b) => a.minTime - b.minTime || a.maxTime - b.maxTime);
    const kept = new Set(tb.blocks.filter((b) => b.shipped).map((b) => b.ulid));
    if (kept.size !== uploaded.size) await writeShipperFile(tenantDir, kept);
    if (tb.blocks.length > 0) {
      log.info({ tenant, blocks: tb.blocks.length, pending: tb.pending, cutUpTo: tb.cutUpTo }, 'found local blocks');
    }
    return tb;
  }

  /** Local blocks not uploaded yet. */
  get pending(): number {
    let n = 0;
    for (const b of this.blocks) if (!b.shipped) n++;
    return n;
  }

  /**
   * Cuts every range the cut rule allows (see block-cut.ts); returns the number of blocks
   * written. A failed write is logged and counted, and retried at the next check.
   */
  async cutReady(head: Head, rangeMs: number): Promise<number> {
    let n = 0;
    for (let i = 0; i < MAX_CUTS_PER_CHECK; i++) {
      const r = nextCutRange(head.state.minT, head.state.maxT, this.cutUpTo, rangeMs);
      if (r === null) break;
      if (!(await this.#cut(head, r))) break;
      n++;
    }
    return n;
  }

  /** Cuts everything the head holds past the cut point, the last range partial (flush on shutdown). */
  async cutAll(head: Head, rangeMs: number): Promise<void> {
    for (const r of flushRanges(head.state.minT, head.state.maxT, this.cutUpTo, rangeMs)) {
      if (!(await this.#cut(head, r))) return;
    }
  }

  async #cut(head: Head, r: TimeRange): Promise<boolean> {
    try {
      const meta = await cutBlock(head, this.blocksDir, r);
      if (meta !== null) {
        this.blocks.push({ ulid: meta.ulid, minTime: meta.minTime, maxTime: meta.maxTime, shipped: false, shippedAt: 0, truncates: true });
        this.#metrics.blocksCut.inc();
        this.#log.info(
          { tenant: this.tenant, block: meta.ulid, minTime: new Date(r.mint).toISOString(), maxTime: new Date(r.maxt).toISOString(), ...meta.stats },
          'cut a block from the head',
        );
      }
      this.cutUpTo = r.maxt;
      return true;
    } catch (err) {
      this.#metrics.cutFailures.inc();
      this.#log.error({ err, tenant: this.tenant, mint: r.mint, maxt: r.maxt }, 'cutting a block failed');
      return false;
    }
  }

  /**
   * Uploads the local blocks not uploaded yet, oldest first, recording each in `shipper.json`.
   * Stops at the first failure (logged and counted; retried at the next call). Returns false
   * when a block could not be uploaded.
   */
  async ship(bucket: Bucket, now: () => number): Promise<boolean> {
    for (const b of this.blocks) {
      if (b.shipped) continue;
      try {
        await uploadBlock(bucket, this.tenant, join(this.blocksDir, b.ulid));
      } catch (err) {
        this.#metrics.uploadFailures.inc();
        this.#log.warn({ err, tenant: this.tenant, block: b.ulid }, 'block upload failed; retrying at the next ship interval');
        return false;
      }
      b.shipped = true;
      b.shippedAt = now();
      this.#metrics.uploads.inc();
      this.#metrics.lastUpload.set(b.shippedAt / 1000);
      this.#log.info({ tenant: this.tenant, block: b.ulid }, 'block uploaded');
      await writeShipperFile(this.tenantDir, this.#shippedUlids());
    }
    return true;
  }

  /**
   * Drops from the head what is in the bucket for at least `keepShippedMs`, then deletes those
   * local block copies. The head is truncated only at the cut point or at the start of the oldest
   * block that must still be kept, both range boundaries, so no chunk is split.
   */
  async truncateShipped(head: Head, now: number, keepShippedMs: number): Promise<void> {
    let upTo = this.cutUpTo;
    for (const b of this.blocks) {
      if (b.truncates && (!b.shipped || now - b.shippedAt < keepShippedMs) && b.minTime < upTo) upTo = b.minTime;
    }
    if (Number.isFinite(upTo) && head.state.minT < upTo) {
      const r = head.truncate(upTo);
      this.#metrics.headTruncations.inc();
      this.#log.info({ tenant: this.tenant, ...r, before: new Date(upTo).toISOString() }, 'head truncated: its older samples are in the bucket');
    }
    // Local copies the head no longer needs: shipped, and either truncated or non-truncating.
    const done = this.blocks.filter((b) => b.shipped && (!b.truncates || b.maxTime <= upTo));
    if (done.length === 0) return;
    for (const b of done) {
      await rm(join(this.blocksDir, b.ulid), { recursive: true, force: true });
      this.blocks.splice(this.blocks.indexOf(b), 1);
    }
    await writeShipperFile(this.tenantDir, this.#shippedUlids());
  }

  #shippedUlids(): string[] {
    return this.blocks.filter((b) => b.shipped).map((b) => b.ulid);
  }
}
