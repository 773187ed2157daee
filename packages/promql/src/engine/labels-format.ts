/**
 * Label sets formatted as Prometheus's `labels.Labels.String()` prints them inside error
 * messages: `{__name__="up", instance="a"}` — braces always, the metric name as an ordinary
 * label, values quoted as Go's %q, names quoted only when they are not legacy identifiers.
 */
import { isValidLabelName, quoteGo, type Labels } from '@tessera/model';

/** Formats a label set as Prometheus's labels.String() does (see the file comment). */
export function formatLabelsForError(l: Labels): string {
  const parts: string[] = [];
  l.forEach((name, value) => {
    parts.push(`${isValidLabelName(name) ? name : quoteGo(name)}=${quoteGo(value)}`);
  });
  return `{${parts.join(', ')}}`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Reports whether `name` is a valid label name under Prometheus 3's UTF-8 naming: any non-empty
 * valid UTF-8 string. The parser keeps the bytes of invalid UTF-8 (from `\x` escapes) as lone
 * surrogates U+DC80–U+DCFF, and no lone surrogate has a UTF-8 form.
 */
export function isValidUtf8LabelName(name: string): boolean {
  return name.length > 0 && !LONE_SURROGATE.test(name);
}
