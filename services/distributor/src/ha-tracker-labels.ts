/**
 * The label work of the HA tracker on a decoded write request, done on bytes: finding the cluster
 * and replica labels of the first series, and building a copy of the request whose series no
 * longer carry the replica label (so that the series of two replicas become the same series).
 *
 * Label field layout (remote-write `TimeSeries.labels`, field 1 of the series; proto3 omits empty
 * strings):
 *
 *     0a <uvarint inner> [0a <uvarint n> <name: n bytes>] [12 <uvarint v> <value: v bytes>]
 *
 * The rewritten labels are written in exactly this canonical form, the one `Labels.encode()`
 * produces and Prometheus sends, so the head recognises a rewritten series byte for byte.
 */
import { DecodedWriteRequest } from '@tessera/remotewrite';
import { decodeString, type AppendBatch } from '@tessera/tsdb';

const encoder = new TextEncoder();
/** UTF-8 bytes of label names; few distinct names (the configured HA labels), so never pruned. */
const nameBytesCache = new Map<string, Uint8Array>();

/** The UTF-8 bytes of a label name, cached. */
export function labelNameBytes(name: string): Uint8Array {
  let b = nameBytesCache.get(name);
  if (b === undefined) {
    b = encoder.encode(name);
    nameBytesCache.set(name, b);
  }
  return b;
}

/** Index (into the flat label arrays) of series `i`'s label named `name`, or -1 when absent. */
export function findLabel(batch: AppendBatch, i: number, name: Uint8Array): number {
  const buf = batch.buf;
  const first = batch.labelFirst[i]!;
  const end = first + batch.labelCount[i]!;
  const n = name.length;
  for (let k = first; k < end; k++) {
    const ns = batch.nameStart[k]!;
    if (batch.nameEnd[k]! - ns !== n) continue;
    let j = 0;
    while (j < n && buf[ns + j] === name[j]) j++;
    if (j === n) return k;
  }
  return -1;
}

/** The HA identity of a request: its cluster and replica label values. */
export interface HaLabels {
  cluster: string;
  replica: string;
}

/**
 * Reads the cluster and replica labels of the first series (as Mimir does: every series of a
 * request from one Prometheus carries the same external labels). Null when the request has no
 * series, or its first series lacks either label or has it empty (an empty value is no label).
 */
export function haLabelsOfFirstSeries(batch: AppendBatch, clusterLabel: string, replicaLabel: string): HaLabels | null {
  if (batch.seriesCount === 0) return null;
  const c = findLabel(batch, 0, labelNameBytes(clusterLabel));
  if (c < 0 || batch.valueEnd[c] === batch.valueStart[c]) return null;
  const r = findLabel(batch, 0, labelNameBytes(replicaLabel));
  if (r < 0 || batch.valueEnd[r] === batch.valueStart[r]) return null;
  return {
    cluster: decodeString(batch.buf, batch.valueStart[c]!, batch.valueEnd[c]!),
    replica: decodeString(batch.buf, batch.valueStart[r]!, batch.valueEnd[r]!),
  };
}

function uvarintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeUvarint(buf: Uint8Array, p: number, n: number): number {
  while (n >= 0x80) {
    buf[p++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[p++] = n;
  return p;
}

/** Copies src[start, end) to dst at p; a byte loop for short runs (no subarray view allocated). */
function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, p: number): number {
  if (end - start <= 32) {
    for (let j = start; j < end; j++) dst[p++] = src[j]!;
    return p;
  }
  dst.set(src.subarray(start, end), p);
  return p + end - start;
}

/** Most bytes the canonical framing of one label can take: 3 tags, 3 uvarints of ≤ 5 bytes. */
const MAX_LABEL_FRAMING = 18;

/** True when buf[p…] holds the minimal uvarint of `n`, ending at `end` at the latest. */
function hasUvarint(buf: Uint8Array, p: number, end: number, n: number): boolean {
  while (n >= 0x80) {
    if (p >= end || buf[p++] !== ((n & 0x7f) | 0x80)) return false;
    n = Math.floor(n / 128);
  }
  return p < end && buf[p] === n;
}

/**
 * The start of label k's field when it is in canonical form and holds nothing else, so that the
 * field is exactly [start, valueEnd) (or [start, nameEnd) without a value); -1 otherwise.
 */
function canonicalFieldStart(req: DecodedWriteRequest, k: number, seriesStart: number): number {
  const buf = req.buf;
  const ns = req.nameStart[k]!;
  const ne = req.nameEnd[k]!;
  const v = req.valueEnd[k]! - req.valueStart[k]!;
  const n = ne - ns;
  const inner = 1 + uvarintLength(n) + n + (v === 0 ? 0 : 1 + uvarintLength(v) + v);
  const start = ns - uvarintLength(n) - 1 - uvarintLength(inner) - 1;
  if (start < seriesStart || buf[start] !== 0x0a || !hasUvarint(buf, start + 1, ns, inner)) return -1;
  const nameTag = start + 1 + uvarintLength(inner);
  if (buf[nameTag] !== 0x0a || !hasUvarint(buf, nameTag + 1, ns, n)) return -1;
  if (v > 0 && (buf[ne] !== 0x12 || !hasUvarint(buf, ne + 1, req.valueStart[k]!, v) || req.valueStart[k] !== ne + 1 + uvarintLength(v))) return -1;
  return start;
}

/**
 * Builds copies of decoded write requests without one label, reusing its buffers from call to
 * call: after warm-up, a call allocates nothing per series, label or sample.
 *
 * The copy is a {@link DecodedWriteRequest} whose `buf` and label arrays are the remover's own,
 * while every other array (samples, exemplars, histograms) and the metadata are the source's, by
 * reference. Layout of the new `buf`:
 *
 *     [ source bytes, with each series' label fields closed up over the dropped label ][ appended ]
 *
 * The source bytes are copied first (one memcpy), so exemplar and histogram offsets stay valid.
 * A series whose label fields are contiguous and whose dropped label is in canonical form (what
 * every Prometheus sends) is edited in place: the label fields after it move left over it
 * (`copyWithin`), and the offsets of those labels shift by the same amount. Any other series that
 * carries the label gets all its labels re-encoded canonically in the appended part, every
 * occurrence of the label left out. The copy is valid until the next call or until the source is
 * decoded again, whichever comes first; it must not be decoded into.
 */
export class ReplicaLabelRemover {
  readonly #out = new DecodedWriteRequest();
  #scratch = new Uint8Array(64 * 1024);

  /** Returns a copy of `req` whose series lack every label named `labelName`. */
  remove(req: DecodedWriteRequest, labelName: string): DecodedWriteRequest {
    const out = this.#out;
    const drop = labelNameBytes(labelName);
    const src = req.buf;
    // The appended part holds at most every label once: their name and value bytes are disjoint
    // parts of src, so they add up to at most src.length, plus the framing.
    const need = 2 * src.length + MAX_LABEL_FRAMING * req.labelTotal;
    if (this.#scratch.length < need) this.#scratch = new Uint8Array(Math.max(need, this.#scratch.length * 2));
    const buf = this.#scratch;
    buf.set(src, 0);
    let p = src.length;

    out.reserveSeries(req.seriesCount);
    out.reserveLabels(req.labelTotal);
    const nameStart = out.nameStart;
    const nameEnd = out.nameEnd;
    const valueStart = out.valueStart;
    const valueEnd = out.valueEnd;
    let k2 = 0;
    const dn = drop.length;
    for (let i = 0; i < req.seriesCount; i++) {
      const first = req.labelFirst[i]!;
      const end = first + req.labelCount[i]!;
      // Where the label occurs in this series: the first index, and how often.
      let at = -1;
      let times = 0;
      for (let k = first; k < end; k++) {
        const ns = req.nameStart[k]!;
        if (req.nameEnd[k]! - ns !== dn) continue;
        let j = 0;
        while (j < dn && src[ns + j] === drop[j]) j++;
        if (j === dn) {
          if (at < 0) at = k;
          times++;
        }
      }
      const ls = req.labelsStart[i]!;
      const le = req.labelsEnd[i]!;
      out.labelFirst[i] = k2;
      const fs = at >= 0 && times === 1 && req.labelsContiguous[i] === 1 ? canonicalFieldStart(req, at, ls) : -1;
      if (at < 0 || fs >= 0) {
        // Unchanged, or closed up in place: labels before the dropped one keep their offsets,
        // those after it move left by the dropped field's length.
        let shift = 0;
        if (fs >= 0) {
          const fe = req.valueEnd[at]! > req.valueStart[at]! ? req.valueEnd[at]! : req.nameEnd[at]!;
          buf.copyWithin(fs, fe, le);
          shift = fe - fs;
        }
        for (let k = first; k < end; k++) {
          if (k === at) continue;
          const d = k > at && at >= 0 ? shift : 0;
          nameStart[k2] = req.nameStart[k]! - d;
          nameEnd[k2] = req.nameEnd[k]! - d;
          valueStart[k2] = req.valueStart[k]! - d;
          valueEnd[k2] = req.valueEnd[k]! - d;
          k2++;
        }
        out.labelsStart[i] = ls;
        out.labelsEnd[i] = le - shift;
        out.labelsContiguous[i] = req.labelsContiguous[i]!;
      } else {
        out.labelsStart[i] = p;
        for (let k = first; k < end; k++) {
          const ns = req.nameStart[k]!;
          const ne = req.nameEnd[k]!;
          const n = ne - ns;
          if (n === dn) {
            let j = 0;
            while (j < n && src[ns + j] === drop[j]) j++;
            if (j === n) continue;
          }
          p = this.#appendLabel(req, k, k2, p);
          k2++;
        }
        out.labelsEnd[i] = p;
        out.labelsContiguous[i] = 1;
      }
      out.labelCount[i] = k2 - out.labelFirst[i]!;
    }

    out.buf = buf;
    out.seriesCount = req.seriesCount;
    out.labelTotal = k2;
    // Everything but the labels is the source's, by reference (see the class comment).
    out.sampleFirst = req.sampleFirst;
    out.sampleCount = req.sampleCount;
    out.timestamps = req.timestamps;
    out.values = req.values;
    out.valueWords = req.valueWords;
    out.sampleTotal = req.sampleTotal;
    out.exemplarFirst = req.exemplarFirst;
    out.exemplarCount = req.exemplarCount;
    out.exemplarStart = req.exemplarStart;
    out.exemplarEnd = req.exemplarEnd;
    out.exemplarTotal = req.exemplarTotal;
    out.histogramFirst = req.histogramFirst;
    out.histogramCount = req.histogramCount;
    out.histogramStart = req.histogramStart;
    out.histogramEnd = req.histogramEnd;
    out.histogramTotal = req.histogramTotal;
    out.metadata = req.metadata;
    return out;
  }

  /** Writes source label k canonically at p as output label k2; returns the end. */
  #appendLabel(req: DecodedWriteRequest, k: number, k2: number, p: number): number {
    const out = this.#out;
    const buf = this.#scratch;
    const src = req.buf;
    const ns = req.nameStart[k]!;
    const ne = req.nameEnd[k]!;
    const vs = req.valueStart[k]!;
    const ve = req.valueEnd[k]!;
    const n = ne - ns;
    const v = ve - vs;
    const inner = (n === 0 ? 0 : 1 + uvarintLength(n) + n) + (v === 0 ? 0 : 1 + uvarintLength(v) + v);
    buf[p++] = 0x0a;
    p = writeUvarint(buf, p, inner);
    if (n > 0) {
      buf[p++] = 0x0a;
      p = writeUvarint(buf, p, n);
    }
    out.nameStart[k2] = p;
    p = copyBytes(src, ns, ne, buf, p);
    out.nameEnd[k2] = p;
    if (v > 0) {
      buf[p++] = 0x12;
      p = writeUvarint(buf, p, v);
    }
    out.valueStart[k2] = p;
    p = copyBytes(src, vs, ve, buf, p);
    out.valueEnd[k2] = p;
    return p;
  }
}
