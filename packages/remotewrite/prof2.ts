import { nodeExporterRequest } from './src/bench-fixture.ts';
const { buf } = nodeExporterRequest(2000);
function sum(b: Uint8Array): number { let s = 0; for (let i = 0; i < b.length; i++) s += b[i]!; return s; }
// walk label structure minimal
function walk(b: Uint8Array): number {
  let pos = 0, n = 0; const end = b.length;
  while (pos < end) {
    pos++; let len = b[pos]!; let l = 0, sh = 0; let x;
    len = 0; do { x = b[pos++]!; len |= (x & 0x7f) << sh; sh += 7; } while (x >= 0x80);
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
for (const [name, f] of [['sum', sum], ['walk', walk]] as const) for (let r = 0; r < 4; r++) {
  const N = 500; const t0 = process.hrtime.bigint(); let s = 0;
  for (let i = 0; i < N; i++) s += f(buf);
  const t1 = process.hrtime.bigint();
  if (r === 3) console.log(name, 'ns/sample', Number(t1 - t0) / N / 2000, s, Buffer.isBuffer(buf));
}
