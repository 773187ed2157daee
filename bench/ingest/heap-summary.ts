// Self size per kind of object in a V8 heap snapshot (`.heapsnapshot`), for the memory phase's
// "where does Tessera's memory go" question. Also a script:
//
//   node bench/ingest/heap-summary.ts <file.heapsnapshot> [series] [top]
//
// Snapshot layout (V8): {"snapshot":{"meta":…,"node_count":N,"edge_count":E,…},
// "nodes":[N × node_fields numbers], "edges":[E × edge_fields numbers], …, "strings":[…]}.
// Each node's edges are contiguous and in node order (a node's `edge_count` says how many);
// an edge's `to_node` is the target's index into "nodes" (node number × node_fields.length).
// Snapshots of a large heap exceed V8's longest string, so the file is parsed from its bytes
// rather than with JSON.parse; only the small "snapshot" header and single strings are parsed.
//
// Grouping: an instance of a class of the program (MemSeries, XorAppender…) is counted under
// its constructor. Everything else — builtins (Array, Uint8Array, ArrayBuffer…), element stores,
// strings, heap numbers, backing stores — is counted under its owner: the path from the nearest
// retainer that is such a class instance, e.g. `array (object elements) @ MemSeries.chunks.elements`.
// The retainer followed is the first one found among object-like nodes (then internal ones), so
// an object shared by several owners is counted once, under one of them.

import fs from 'node:fs';

/** One group of heap objects with their count and summed self size. */
export interface HeapGroup {
  key: string;
  count: number;
  selfBytes: number;
}

/** A heap snapshot summarised by kind of object. */
export interface HeapSummary {
  nodeCount: number;
  /** Sum of every node's self size (JS heap plus the native memory V8 attributes to nodes). */
  totalSelfBytes: number;
  /** Groups, largest self size first. */
  groups: HeapGroup[];
}

/** Builtin constructors that say nothing about which part of the program holds them. */
const BUILTINS = new Set([
  'Array', 'Object', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Map', 'Set', 'WeakMap', 'Buffer', 'FastBuffer',
  'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array',
  'BigInt64Array', 'BigUint64Array', 'Uint8ClampedArray',
]);
const MAX_HOPS = 5;

/** Reads the non-negative integers of a JSON array starting at `p` (just after '[') into `sink`; returns the index after ']'. */
function readInts(buf: Buffer, p: number, sink: (k: number, v: number) => void): number {
  let k = 0;
  let v = 0;
  let inNumber = false;
  for (;;) {
    const c = buf[p++]!;
    if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      inNumber = true;
    } else {
      if (inNumber) sink(k++, v);
      v = 0;
      inNumber = false;
      if (c === 0x5d) return p; // ']'
      if (c === 0x2d) throw new Error('negative number in a heap snapshot array');
    }
  }
}

/** Summarises a `.heapsnapshot` file (see the file comment for the grouping). */
export function summariseHeapSnapshot(file: string): HeapSummary {
  const buf = fs.readFileSync(file);
  const nodesAt = buf.indexOf('"nodes":[');
  if (nodesAt < 0) throw new Error(`${file}: no "nodes" array`);
  const header = JSON.parse(buf.toString('utf8', 0, nodesAt).replace(/,\s*$/, '') + '}') as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }; node_count: number };
  };
  const meta = header.snapshot.meta;
  const N = header.snapshot.node_count;
  const NF = meta.node_fields.length;
  const EF = meta.edge_fields.length;
  const fType = meta.node_fields.indexOf('type');
  const fName = meta.node_fields.indexOf('name');
  const fSelf = meta.node_fields.indexOf('self_size');
  const fEdges = meta.node_fields.indexOf('edge_count');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const T = (name: string): number => nodeTypes.indexOf(name);
  const E = (name: string): number => edgeTypes.indexOf(name);

  const type = new Uint8Array(N);
  const name = new Uint32Array(N);
  const self = new Float64Array(N);
  const edgeCount = new Uint32Array(N);
  let p = readInts(buf, nodesAt + '"nodes":['.length, (k, v) => {
    const node = (k / NF) | 0;
    const f = k - node * NF;
    if (f === fType) type[node] = v;
    else if (f === fName) name[node] = v;
    else if (f === fSelf) self[node] = v;
    else if (f === fEdges) edgeCount[node] = v;
  });

  // Retainer of each node: the first seen from the best rank of source (0 object-like, 1 internal
  // structures, none from synthetic roots), ignoring weak and shortcut edges.
  const objectLike = new Set([T('object'), T('closure'), T('array'), T('native'), T('regexp')]);
  const skipEdge = new Set([E('weak'), E('shortcut')]);
  const synthetic = T('synthetic');
  const retainer = new Int32Array(N).fill(-1);
  const retainerRank = new Uint8Array(N).fill(255);
  const viaType = new Uint8Array(N);
  const viaName = new Uint32Array(N);
  const edgesAt = buf.indexOf('"edges":[', p);
  if (edgesAt < 0) throw new Error(`${file}: no "edges" array`);
  let src = 0;
  let left = edgeCount[0] ?? 0;
  let eType = 0;
  let eName = 0;
  p = readInts(buf, edgesAt + '"edges":['.length, (k, v) => {
    const f = k % EF;
    if (f === 0) {
      while (left === 0) left = edgeCount[++src]!;
      left--;
      eType = v;
    } else if (f === 1) {
      eName = v;
    } else {
      const to = v / NF;
      if (skipEdge.has(eType) || type[src] === synthetic) return;
      const rank = objectLike.has(type[src]!) ? 0 : 1;
      if (rank < retainerRank[to]!) {
        retainerRank[to] = rank;
        retainer[to] = src;
        viaType[to] = eType;
        viaName[to] = eName;
      }
    }
  });

  // Strings: remember where each one is; decode only those a group key needs.
  const stringsAt = buf.indexOf('"strings":[', p);
  if (stringsAt < 0) throw new Error(`${file}: no "strings" array`);
  const starts: number[] = [];
  const ends: number[] = [];
  for (let q = stringsAt + '"strings":['.length; ;) {
    const c = buf[q]!;
    if (c === 0x5d) break;
    if (c !== 0x22) {
      q++;
      continue;
    }
    let e = q + 1;
    while (buf[e] !== 0x22) e += buf[e] === 0x5c ? 2 : 1;
    starts.push(q);
    ends.push(e + 1);
    q = e + 1;
  }
  const decoded = new Map<number, string>();
  const str = (i: number): string => {
    let s = decoded.get(i);
    if (s === undefined) {
      s = JSON.parse(buf.toString('utf8', starts[i], ends[i])) as string;
      if (s.length > 60) s = `${s.slice(0, 57)}…`;
      decoded.set(i, s);
    }
    return s;
  };

  const classLike = (n: number): boolean => (type[n] === T('object') || type[n] === T('closure')) && !BUILTINS.has(str(name[n]!));
  const edgeLabel = (n: number): string => {
    const et = edgeTypes[viaType[n]!];
    if (et === 'element' || et === 'hidden') return '[]';
    // V8 names the entries of internal arrays (e.g. a JS array's element store) by their index.
    const label = str(viaName[n]!);
    return /^\d+$/.test(label) ? '[]' : `.${label}`;
  };
  const nameless = new Set([T('string'), T('concatenated string'), T('sliced string'), T('number'), T('code'), T('bigint'), T('symbol')]);
  const groups = new Map<string, HeapGroup>();
  let total = 0;
  for (let n = 0; n < N; n++) {
    const size = self[n]!;
    total += size;
    let key: string;
    if (classLike(n)) {
      key = str(name[n]!);
    } else {
      // Walk up to the nearest class instance, collecting edge labels from it down to n.
      let path = '';
      let at = n;
      let owner = '';
      for (let hop = 0; hop < MAX_HOPS; hop++) {
        const r = retainer[at]!;
        if (r < 0) break;
        path = edgeLabel(at) + path;
        at = r;
        if (classLike(r)) {
          owner = str(name[r]!);
          break;
        }
      }
      if (owner === '') owner = retainer[at]! < 0 ? `${nodeTypes[type[at]!]} ${str(name[at]!)}` : `…${str(name[at]!)}`;
      const what = nameless.has(type[n]!) ? nodeTypes[type[n]!]! : `${nodeTypes[type[n]!]} ${str(name[n]!)}`;
      key = `${what} @ ${owner}${path}`;
    }
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, count: 0, selfBytes: 0 };
      groups.set(key, g);
    }
    g.count++;
    g.selfBytes += size;
  }
  return { nodeCount: N, totalSelfBytes: total, groups: [...groups.values()].sort((a, b) => b.selfBytes - a.selfBytes) };
}

/** The summary as lines: share, MiB, bytes and objects per series, group. */
export function heapSummaryLines(s: HeapSummary, series: number, top: number): string[] {
  const out = [
    `heap snapshot: ${s.nodeCount.toLocaleString('en-US')} objects, ${(s.totalSelfBytes / 2 ** 20).toFixed(1)} MiB of self size ` +
      `(${(s.totalSelfBytes / series).toFixed(0)} B/series); top ${top} groups:`,
    `  share     MiB   B/series  objs/series  group`,
  ];
  for (const g of s.groups.slice(0, top)) {
    out.push(
      `  ${((g.selfBytes / s.totalSelfBytes) * 100).toFixed(1).padStart(5)}% ${(g.selfBytes / 2 ** 20).toFixed(1).padStart(7)} ` +
        `${(g.selfBytes / series).toFixed(1).padStart(10)} ${(g.count / series).toFixed(2).padStart(12)}  ${g.key}`,
    );
  }
  return out;
}

if (import.meta.main) {
  const [file, series = '1', top = '30'] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node bench/ingest/heap-summary.ts <file.heapsnapshot> [series] [top]\n');
    process.exit(2);
  }
  for (const l of heapSummaryLines(summariseHeapSnapshot(file), Number(series), Number(top))) process.stdout.write(`${l}\n`);
}
