import { nodeExporterRequest } from './src/bench-fixture.ts';
import { SnappyDecoder, snappyCompress } from './src/index.ts';
const { buf } = nodeExporterRequest(1450);
const c = snappyCompress(buf);
const d = new SnappyDecoder();
let s = 0;
const res: number[] = [];
for (let r = 0; r < 12; r++) {
  const N = 1000; const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) s += d.decompress(c, 1 << 24).length;
  const t1 = process.hrtime.bigint();
  res.push(buf.length * N / (Number(t1 - t0) / 1e9) / 1e6);
}
res.sort((a, b) => b - a);
console.log('best MB/s', res[0]!.toFixed(0), 'median', res[6]!.toFixed(0));
