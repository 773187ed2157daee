import { nodeExporterRequest } from './src/bench-fixture.ts';
import { decodeWriteRequest, DecodedWriteRequest } from './src/index.ts';
const { buf } = nodeExporterRequest(2000);
const out = new DecodedWriteRequest();
function walk(b: Uint8Array): number {
  let pos = 0, n = 0; const end = b.length;
  while (pos < end) {
    pos++; let len = 0, sh = 0, x;
    do { x = b[pos++]!; len |= (x & 0x7f) << sh; sh += 7; } while (x >= 0x80);
    const se = pos + len;
    while (pos < se) {
      const t = b[pos++]!;
      let ln = 0; sh = 0; do { x = b[pos++]!; ln |= (x & 0x7f) << sh; sh += 7; } while (x >= 0x80);
      if (t === 0x0a) { const le = pos + ln; while (pos < le) { pos++; const sl = b[pos++]!; pos += sl; n++; } }
      else pos += ln;
    }
  }
  return n;
}
let s = 0;
for (let r = 0; r < 6; r++) {
  const N = 300;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) decodeWriteRequest(buf, out);
  let t1 = process.hrtime.bigint();
  const a = Number(t1 - t0) / N / 2000;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) s += walk(buf);
  t1 = process.hrtime.bigint();
  const b = Number(t1 - t0) / N / 2000;
  console.log('decode ns/sample', a.toFixed(1), 'walk', b.toFixed(1), 'ratio', (a / b).toFixed(2));
}
