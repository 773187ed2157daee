import { nodeExporterRequest } from './src/bench-fixture.ts';
import { decodeWriteRequest, DecodedWriteRequest } from './src/index.ts';
const { buf } = nodeExporterRequest(2000);
const out = new DecodedWriteRequest();
for (let r = 0; r < 5; r++) {
  const N = 500;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) decodeWriteRequest(buf, out);
  const t1 = process.hrtime.bigint();
  console.log('ns/sample', Number(t1 - t0) / N / 2000);
}
