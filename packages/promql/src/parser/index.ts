/**
 * The PromQL parser: AST types, `parseExpr`, the function and aggregation tables, and the
 * printer used by the `format_query` API.
 */
export type {
  AggregateExpr,
  AggregateOp,
  AtModifier,
  BinaryExpr,
  BinaryOp,
  Call,
  Expr,
  MatrixSelector,
  NumberLiteral,
  ParenExpr,
  PositionRange,
  StringLiteral,
  SubqueryExpr,
  UnaryExpr,
  ValueType,
  VectorMatchCardinality,
  VectorMatching,
  VectorSelector,
} from './ast.ts';
export { exprType, unwrapParens } from './ast.ts';
export { documentedType } from './check.ts';
export { PromQLParseError } from './errors.ts';
export { AGGREGATORS, FUNCTIONS, getAggregator, getFunction } from './functions.ts';
export type { AggregatorSignature, FunctionSignature } from './functions.ts';
export { hasInvalidUtf8, quoteGoString } from './literals.ts';
export { parseExpr } from './parser.ts';
export { formatExpr } from './prettier.ts';
export { formatExprLine } from './printer.ts';
export type { ParseOptions } from './token-stream.ts';
