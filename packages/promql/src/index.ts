// Public API of @tessera/promql: the PromQL parser and evaluator (Prometheus 3.5 semantics), the
// storage interface it reads from, and the head's implementation of that interface.

export { Engine } from './engine/engine.ts';
export type { EngineOptions, QueryOptions, QueryResult } from './engine/engine.ts';
export { PromQLError } from './engine/errors.ts';
export type { PromQLErrorCode, PromQLErrorKind } from './engine/errors.ts';
export { MemoryQueryable } from './engine/memory-queryable.ts';
export type { MemorySeries } from './engine/memory-queryable.ts';

export {
  AGGREGATORS,
  FUNCTIONS,
  PromQLParseError,
  documentedType,
  exprType,
  formatExpr,
  formatExprLine,
  getAggregator,
  getFunction,
  parseExpr,
  unwrapParens,
} from './parser/index.ts';
export type {
  AggregateExpr,
  AggregatorSignature,
  BinaryExpr,
  Call,
  Expr,
  FunctionSignature,
  MatrixSelector,
  NumberLiteral,
  ParseOptions,
  ParenExpr,
  PositionRange,
  StringLiteral,
  SubqueryExpr,
  UnaryExpr,
  VectorMatching,
  VectorSelector,
} from './parser/index.ts';

export { Annotations, isStaleNaN } from './value.ts';
export type { Matrix, Sample, Scalar, Series, StringValue, Value, ValueType, Vector } from './value.ts';
export type { Querier, Queryable, SampleIterator, SelectHints, StorageSeries } from './storage.ts';
export { headQueryable } from './head-queryable.ts';
export { ChunkListIterator } from './chunk-list-iterator.ts';
