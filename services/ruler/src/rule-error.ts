/** Errors of one rule's evaluation, shown as the rule's `lastError`. */
import { TesseraError } from '@tessera/server';

/** An evaluation failure of a rule (duplicate label sets, limit exceeded, bad result type). */
export function ruleEvalError(code: string, message: string): TesseraError {
  return new TesseraError('execution', code, message);
}
