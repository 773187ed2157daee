/** Rule templates rendered with @tessera/template, with `query` reading the rule's tenant. */
import { parseAlertTemplate, type ParsedTemplate } from '@tessera/template';
import type { TemplateExpander } from './alerting-rule.ts';
import type { QueryFn } from './eval-types.ts';

/** Parsed templates kept per tenant; past this many the cache starts over (rules changed a lot). */
const MAX_CACHED = 2000;

/**
 * The expander of one tenant's alert labels and annotations. Templates are parsed once and reused
 * on every evaluation (a parse error is rethrown each time, as expansion would).
 */
export function tenantTemplateExpander(query: QueryFn, tenant: string): TemplateExpander {
  const templateQuery = async (expr: string, atMs: number): Promise<{ labels: Record<string, string>; value: number }[]> => query.instant(tenant, expr, atMs);
  const cache = new Map<string, ParsedTemplate | Error>();
  return async (name, text, data, atMs) => {
    const key = `${name}\u0000${text}`;
    let t = cache.get(key);
    if (t === undefined) {
      try {
        t = parseAlertTemplate(name, text);
      } catch (e) {
        t = e instanceof Error ? e : new Error(String(e));
      }
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(key, t);
    }
    if (t instanceof Error) throw t;
    return t.execute(data, { query: templateQuery, atMs });
  };
}
