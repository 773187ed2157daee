// The contract between the shell (main.ts) and every page (src/pages/*.ts).
import type { Api } from './api.ts';

export type ConsoleContext = {
  /** Typed API helpers; every request carries the selected tenant. */
  api: Api;
  /** The tenant selected in the header (never empty while a page is mounted). */
  tenant(): string;
  /** Query parameters of the current hash route (`#/query?expr=…` → expr). */
  params: URLSearchParams;
  /** Go to another route, e.g. navigate('#/query?expr=up'). */
  navigate(hash: string): void;
};

/** A page mounts itself into `root` and returns its unmount function. */
export type PageMount = (root: HTMLElement, ctx: ConsoleContext) => () => void;

/**
 * Pages are found by the shell with Vite's import.meta.glob('./pages/*.ts'): a file
 * src/pages/<name>.ts exporting `mount: PageMount` is the route `#/<name>` (each page is its own
 * lazily loaded chunk). Nav order: query, explore, rules, alerts, status.
 */
export const PAGES = ['query', 'explore', 'rules', 'alerts', 'status'] as const;
export type PageName = (typeof PAGES)[number];
