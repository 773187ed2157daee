/**
 * The error the PromQL parser throws, formatted exactly as Prometheus formats parse errors:
 * `<line>:<column>: parse error: <message>`, where the column counts UTF-8 bytes from 1.
 */
import type { PositionRange } from './ast.ts';
import { utf8Length } from '@tessera/model';

/** Brand that marks PromQLParseError instances; survives duplicate copies of this module. */
const PARSE_ERROR_BRAND: unique symbol = Symbol.for('@tessera/promql.PromQLParseError');

/** Returns Prometheus's `line:column` prefix for an offset into `query`. */
export function lineColumn(query: string, offset: number): string {
  if (offset < 0 || offset > query.length) return 'invalid position';
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (query.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${utf8Length(query.slice(lineStart, offset)) + 1}`;
}

/**
 * PromQLParseError is a query that does not parse or does not type-check. `message` is the full
 * Prometheus text (`1:5: parse error: unexpected <by>`), `detail` the part after `parse error: `,
 * `position` the range (UTF-16 offsets into `query`) the error refers to.
 */
export class PromQLParseError extends Error {
  /** Permanent, machine-readable identifier. */
  readonly code = 'parse-error';
  /** The error without the position prefix. */
  readonly detail: string;
  /** The part of the query the error refers to. */
  readonly position: PositionRange;
  /** The query that failed. */
  readonly query: string;
  readonly [PARSE_ERROR_BRAND] = true;

  constructor(query: string, position: PositionRange, detail: string) {
    super(`${lineColumn(query, position.start)}: parse error: ${detail}`);
    this.name = 'PromQLParseError';
    this.detail = detail;
    this.position = position;
    this.query = query;
  }

  /** Reports whether `e` is a PromQLParseError (by brand, so it works across module copies). */
  static is(e: unknown): e is PromQLParseError {
    return typeof e === 'object' && e !== null && (e as { [PARSE_ERROR_BRAND]?: unknown })[PARSE_ERROR_BRAND] === true;
  }
}
