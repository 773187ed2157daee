import type { DecodedWriteRequest } from './decoded-write-request.ts';
import { labelName, labelValue } from './labels.ts';
import { decodeExemplarReference, decodeHistogramReference } from './reference-codec.ts';
import type { TimeSeriesObject, WriteRequestObject } from './types.ts';

/**
 * Converts a decoded request to plain objects, in the shape decodeWriteRequestReference returns.
 *
 * For tests and debugging, not the hot path: it allocates per label and sample. Labels and
 * samples come from the hot-path decoder's arrays; exemplars and native histograms, which that
 * decoder only frames and counts, are decoded from the byte ranges it recorded with the
 * reference codec. Throws `invalid-utf8` for a label that is not valid UTF-8.
 */
export function decodedToObject(out: DecodedWriteRequest): WriteRequestObject {
  const timeseries: TimeSeriesObject[] = [];
  for (let i = 0; i < out.seriesCount; i++) {
    const series: TimeSeriesObject = { labels: [], samples: [], exemplars: [], histograms: [] };
    const k0 = out.labelFirst[i]!;
    for (let k = k0; k < k0 + out.labelCount[i]!; k++) {
      series.labels.push({ name: labelName(out, k), value: labelValue(out, k) });
    }
    const j0 = out.sampleFirst[i]!;
    for (let j = j0; j < j0 + out.sampleCount[i]!; j++) {
      series.samples.push({ value: out.values[j]!, timestamp: out.timestamps[j]! });
    }
    const x0 = out.exemplarFirst[i]!;
    for (let x = x0; x < x0 + out.exemplarCount[i]!; x++) {
      series.exemplars.push(decodeExemplarReference(out.buf.subarray(out.exemplarStart[x]!, out.exemplarEnd[x]!)));
    }
    const h0 = out.histogramFirst[i]!;
    for (let h = h0; h < h0 + out.histogramCount[i]!; h++) {
      series.histograms.push(decodeHistogramReference(out.buf.subarray(out.histogramStart[h]!, out.histogramEnd[h]!)));
    }
    timeseries.push(series);
  }
  return { timeseries, metadata: out.metadata.map((m) => ({ ...m })) };
}
