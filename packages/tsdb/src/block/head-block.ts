/**
 * blockFromHead: the series and chunks of a head's time range, ready for {@link writeBlock}.
 *
 * Chunks that lie inside [mint, maxt) are taken as they are (completed chunks are immutable views
 * of the head's arena; the open chunk is copied). A chunk that crosses a boundary — possible when
 * the range is not aligned to the head's block range — is cut by decoding it and re-encoding the
 * samples inside the range, their values bit for bit (NaN payloads such as stale markers kept).
 */
import { XorAppender, XorIterator } from '@tessera/chunkenc';
import { Labels } from '@tessera/model';
import type { Head } from '../head-db.ts';
import type { BlockChunk, BlockSeries } from './block-writer.ts';

/**
 * Returns the head's series with samples in [mint, maxt) (maxt exclusive, like a block's
 * maxTime), sorted by labels, each with its chunks restricted to that range. The result does not
 * change when the head is appended to or truncated afterwards.
 */
export function blockFromHead(head: Head, mint: number, maxt: number): BlockSeries[] {
  const out: BlockSeries[] = [];
  const it = new XorIterator();
  const scratch = new Float64Array(1);
  for (const s of head.state.liveSeries()) {
    if (s.lastT < mint || s.minT >= maxt) continue;
    const chunks: BlockChunk[] = [];
    s.forEachChunk(mint, maxt - 1, (bytes, cmin, cmax, open) => {
      if (cmin >= mint && cmax < maxt) {
        chunks.push({ minT: cmin, maxT: cmax, data: open ? bytes.slice() : bytes });
        return;
      }
      const app = new XorAppender(bytes.length);
      let first = 0;
      it.reset(bytes);
      while (it.next()) {
        const t = it.t;
        if (t < mint) continue;
        if (t >= maxt) break;
        if (app.numSamples === 0) first = t;
        it.valueInto(scratch, 0);
        app.appendFrom(t, scratch, 0);
      }
      if (it.err !== null) throw it.err;
      if (app.numSamples > 0) chunks.push({ minT: first, maxT: app.lastTimestamp(), data: app.bytes().slice() });
    });
    if (chunks.length > 0) out.push({ labels: head.labelsOf(s), chunks });
  }
  out.sort((a, b) => Labels.compare(a.labels, b.labels));
  return out;
}

