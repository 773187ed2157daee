/**
 * An immutable view of the ring at one moment: the token index plus every instance's health as
 * of `nowMs`, with replication sets computed lazily and cached per token range.
 *
 * Replication sets depend only on the range between two consecutive ring tokens a lookup token
 * falls into, so a snapshot keeps one set per range and op: a lookup after the first is a binary
 * search and an array read, without allocation (the distributor does one per series).
 */
import { TesseraError } from '@tessera/server';
import { isHeartbeatHealthy, isReadable, isWritable } from './health.ts';
import { searchToken, type TokenIndex } from './token-index.ts';
import { quorum, type InstanceDesc, type ReplicationSet, type RingDesc, type RingOperation } from './types.ts';

const TOKEN_SPACE = 2 ** 32;

/** Settings a snapshot evaluates the ring with. */
export interface SnapshotConfig {
  replicationFactor: number;
  heartbeatTimeoutMs: number;
}

/** The ring as seen at one time; shared read-only by every lookup until the next change. */
export class RingSnapshot {
  readonly desc: RingDesc;
  readonly index: TokenIndex;
  readonly nowMs: number;
  readonly config: SnapshotConfig;
  /** Instances by owner index (the order of `index.ids`). */
  readonly #instances: InstanceDesc[];
  readonly #writable: Uint8Array;
  readonly #readable: Uint8Array;
  readonly #cache: { write: (ReplicationSet | TesseraError | undefined)[]; read: (ReplicationSet | TesseraError | undefined)[] };
  readonly #all: { write?: ReplicationSet | TesseraError; read?: ReplicationSet | TesseraError } = {};

  /** Evaluates `desc` (indexed as `index`) at `nowMs`. */
  constructor(desc: RingDesc, index: TokenIndex, nowMs: number, config: SnapshotConfig) {
    this.desc = desc;
    this.index = index;
    this.nowMs = nowMs;
    this.config = config;
    const k = index.ids.length;
    this.#instances = index.ids.map((id) => desc.instances[id]!);
    this.#writable = new Uint8Array(k);
    this.#readable = new Uint8Array(k);
    for (let o = 0; o < k; o++) {
      const inst = this.#instances[o]!;
      this.#writable[o] = isWritable(inst, nowMs, config.heartbeatTimeoutMs) ? 1 : 0;
      this.#readable[o] = isReadable(inst, nowMs, config.heartbeatTimeoutMs) ? 1 : 0;
    }
    const n = index.tokens.length;
    this.#cache = { write: new Array(n), read: new Array(n) };
  }

  /**
   * The earliest time at which a heartbeat-healthy instance turns UNHEALTHY if it sends no more
   * heartbeats (Infinity if none can): the snapshot must be re-evaluated then.
   */
  nextHealthChangeMs(): number {
    const t = this.config.heartbeatTimeoutMs;
    if (t <= 0) return Infinity;
    let next = Infinity;
    for (const inst of this.#instances) {
      if (isHeartbeatHealthy(inst, this.nowMs, t)) next = Math.min(next, inst.heartbeatMs + t + 1);
    }
    return next;
  }

  /** See {@link Ring.replicationSetForToken}. */
  replicationSetForToken(token: number, op: RingOperation): ReplicationSet {
    const n = this.index.tokens.length;
    if (n === 0) throw emptyRing();
    const pos = searchToken(this.index.tokens, token);
    const cache = this.#cache[op];
    let set = cache[pos];
    if (set === undefined) {
      set = op === 'write' ? this.#writeSet(pos) : this.#readSet(pos);
      cache[pos] = set;
    }
    if (TesseraError.is(set)) throw set;
    return set;
  }

  /** See {@link Ring.allHealthy}. */
  allHealthy(op: RingOperation): ReplicationSet {
    let set = this.#all[op];
    if (set === undefined) {
      set = op === 'write' ? this.#allWritable() : this.#allReadable();
      this.#all[op] = set;
    }
    if (TesseraError.is(set)) throw set;
    return set;
  }

  /** See {@link Ring.ownership}. */
  ownership(): Map<string, number> {
    const out = new Map<string, number>();
    for (const id of this.index.ids) out.set(id, 0);
    const { tokens, owners, ids } = this.index;
    const n = tokens.length;
    for (let i = 0; i < n; i++) {
      // Token i owns the range (tokens[i−1], tokens[i]]; token 0 also owns the wrap-around part.
      const width = i === 0 ? tokens[0]! + TOKEN_SPACE - tokens[n - 1]! : tokens[i]! - tokens[i - 1]!;
      const id = ids[owners[i]!]!;
      out.set(id, out.get(id)! + width / TOKEN_SPACE);
    }
    return out;
  }

  /**
   * Writes: walk clockwise over distinct instances, keeping writable ones, until RF are kept;
   * a non-writable instance (PENDING, JOINING, LEAVING, UNHEALTHY) is skipped and extends the walk.
   */
  #writeSet(pos: number): ReplicationSet | TesseraError {
    const rf = this.config.replicationFactor;
    const out: InstanceDesc[] = [];
    this.#walk(pos, (o) => {
      if (this.#writable[o] === 1) out.push(this.#instances[o]!);
      return out.length < rf;
    });
    const q = quorum(rf);
    if (out.length < q) return tooFew(q, out.length, 'write');
    return freeze(out, out.length - q);
  }

  /**
   * Reads: the same walk as writes (it ends at the RF-th writable instance), keeping every
   * readable instance met on the way, LEAVING ones included, since they hold what was written
   * before they left. Each unreadable instance met may hold data that is now out of reach, so it
   * uses up one of the RF − quorum failures a read tolerates.
   */
  #readSet(pos: number): ReplicationSet | TesseraError {
    const rf = this.config.replicationFactor;
    const out: InstanceDesc[] = [];
    let writable = 0;
    let unavailable = 0;
    this.#walk(pos, (o) => {
      if (this.#readable[o] === 1) out.push(this.#instances[o]!);
      else unavailable++;
      if (this.#writable[o] === 1) writable++;
      return writable < rf;
    });
    return this.#readTolerance(out, unavailable);
  }

  #allWritable(): ReplicationSet | TesseraError {
    const out = this.#instances.filter((_, o) => this.#writable[o] === 1);
    if (out.length === 0) return this.#instances.length === 0 ? emptyRing() : tooFew(1, 0, 'write');
    return freeze(out, 0);
  }

  #allReadable(): ReplicationSet | TesseraError {
    const out: InstanceDesc[] = [];
    let unavailable = 0;
    this.#instances.forEach((inst, o) => {
      if (this.#readable[o] === 1) out.push(inst);
      else if (inst.tokens.length > 0) unavailable++;
    });
    if (this.#instances.length === 0) return emptyRing();
    return this.#readTolerance(out, unavailable);
  }

  /** A read may lose RF − quorum replicas, less those already unreachable, and at least one must answer. */
  #readTolerance(out: InstanceDesc[], unavailable: number): ReplicationSet | TesseraError {
    const rf = this.config.replicationFactor;
    const maxErrors = rf - quorum(rf) - unavailable;
    if (maxErrors < 0 || out.length === 0) {
      return new TesseraError(
        'unavailable',
        'too-many-unhealthy-instances',
        `too many unhealthy instances in the ring: ${unavailable} cannot be read, at most ${rf - quorum(rf)} may be`,
      );
    }
    return freeze(out, Math.min(maxErrors, out.length - 1));
  }

  /** Visits distinct owners clockwise from token position `pos` until `visit` returns false. */
  #walk(pos: number, visit: (owner: number) => boolean): void {
    const { tokens, owners } = this.index;
    const n = tokens.length;
    const seen = new Uint8Array(this.#instances.length);
    let distinct = 0;
    for (let i = 0; i < n && distinct < this.#instances.length; i++) {
      const o = owners[(pos + i) % n]!;
      if (seen[o] === 1) continue;
      seen[o] = 1;
      distinct++;
      if (!visit(o)) return;
    }
  }
}

function freeze(instances: InstanceDesc[], maxErrors: number): ReplicationSet {
  return Object.freeze({ instances: Object.freeze(instances), maxErrors, minSuccess: instances.length - maxErrors });
}

function tooFew(required: number, found: number, op: RingOperation): TesseraError {
  return new TesseraError(
    'unavailable',
    'too-few-healthy-instances',
    `at least ${required} live replicas required for ${op}, could only find ${found}`,
  );
}

function emptyRing(): TesseraError {
  return new TesseraError('unavailable', 'empty-ring', 'the ring is empty: no instance has registered');
}
