/**
 * Plumbing of the console's browser tests: a real Tessera CLI (target all) with the built console,
 * Debian's headless chromium driven by playwright-core with a fresh profile, a record of every
 * request the page makes (to prove none leaves 127.0.0.1), and screenshots saved under
 * test-artifacts/console/ (git-ignored).
 *
 * Without chromium the suites skip with a notice; with TESSERA_REQUIRE_EXTERNAL=1 they fail.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { describe } from 'vitest';
import { push, type PushSeries } from './helpers.ts';
import { NODE_BIN, REPO_ROOT, REQUIRE_EXTERNAL, findExecutable, spawnTessera, tempDir, type TesseraProcess } from './process-helpers.ts';

/** Debian's chromium (`apt-get install chromium`), or CHROMIUM_BIN. */
export const CHROMIUM_BIN = findExecutable(process.env.CHROMIUM_BIN ?? '/usr/bin/chromium') ?? findExecutable('chromium');

/** Where screenshots go. */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts', 'console');

/** The built console (made by the root `prepare` script). */
export const CONSOLE_DIST = join(REPO_ROOT, 'services', 'console', 'dist');

/** Desktop and phone viewports the console must be usable at. */
export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/**
 * `describe`, or `describe.skip` with a visible notice when chromium is missing (a failing
 * describe when TESSERA_REQUIRE_EXTERNAL=1, so CI cannot pass without the browser tests).
 */
export function browserSuite(name: string): typeof describe | typeof describe.skip {
  if (CHROMIUM_BIN !== null) return describe;
  if (REQUIRE_EXTERNAL) {
    describe(name, () => {
      throw new Error('chromium is required (TESSERA_REQUIRE_EXTERNAL=1): apt-get install chromium');
    });
    return describe.skip;
  }
  console.warn(`[${name}] SKIPPED: chromium not found (apt-get install chromium; set TESSERA_REQUIRE_EXTERNAL=1 to fail instead)`);
  return describe.skip;
}

/** Builds the console when its dist is missing (e.g. after `npm ci --ignore-scripts`). */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(CONSOLE_DIST, 'index.html'))) return;
  execFileSync(NODE_BIN, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
    cwd: join(REPO_ROOT, 'services', 'console'),
    stdio: 'inherit',
  });
}

/** A Tessera CLI process serving the console, with its temporary data directory. */
export interface ConsoleServer {
  readonly tessera: TesseraProcess;
  readonly url: string;
  push(tenant: string, series: readonly PushSeries[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `tessera -target=all` (auth enabled: every request names its tenant). */
export async function startConsoleServer(args: readonly string[] = []): Promise<ConsoleServer> {
  ensureConsoleBuilt();
  const dir = tempDir('tessera-console-');
  const tessera = await spawnTessera({ dataDir: dir.path, args, logLevel: 'warn' });
  return {
    tessera,
    url: tessera.url,
    async push(tenant, series) {
      const res = await push(tessera.url, series, { tenant });
      if (res.status !== 200 && res.status !== 204) throw new Error(`push for ${tenant} answered ${res.status}: ${res.text}`);
    },
    async stop() {
      await tessera.run.stop('SIGTERM');
      dir.remove();
    },
  };
}

/** A headless chromium with a fresh user-data-dir; every page it opens records its requests. */
export interface ConsoleBrowser {
  readonly context: BrowserContext;
  /** Every request of every page, as URLs. */
  readonly requests: string[];
  /** Requests that went anywhere but the console's own 127.0.0.1 origin (data:/blob: excepted). */
  external(origin: string): string[];
  open(url: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<ConsoleBrowser> {
  if (CHROMIUM_BIN === null) throw new Error('chromium not found');
  const profile = tempDir('tessera-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM_BIN,
    headless: true,
    viewport: DESKTOP,
    deviceScaleFactor: 1,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const requests: string[] = [];
  context.on('request', (r: Request) => requests.push(r.url()));
  return {
    context,
    requests,
    external: (origin) => requests.filter((u) => !u.startsWith(`${origin}/`) && u !== origin && !u.startsWith('data:') && !u.startsWith('blob:')),
    async open(url, viewport = DESKTOP) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      await page.goto(url, { waitUntil: 'load' });
      return page;
    },
    async close() {
      await context.close();
      profile.remove();
    },
  };
}

/** Saves a full-page screenshot as test-artifacts/console/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Selects `tenant` with the header's tenant picker and waits for the page to re-mount. */
export async function selectTenant(page: Page, tenant: string): Promise<void> {
  await page.fill('#tenant', tenant);
  await page.click('form.tenant-picker button[type=submit]');
  await page.waitForSelector(`main.page[data-tenant="${tenant}"]`);
}

type NavTiming = { startTime: number; domContentLoadedEventEnd: number; loadEventEnd: number };

/** Page load figures from the Navigation Timing API, in ms from navigation start. */
export async function loadTiming(page: Page): Promise<{ domContentLoaded: number; load: number }> {
  // Runs in the page (the e2e project has no DOM types: the page's globals are typed here).
  return page.evaluate(() => {
    const perf = (globalThis as unknown as { performance: { getEntriesByType(t: string): NavTiming[] } }).performance;
    const nav = perf.getEntriesByType('navigation')[0]!;
    return { domContentLoaded: nav.domContentLoadedEventEnd - nav.startTime, load: nav.loadEventEnd - nav.startTime };
  });
}

/** True when the body does not scroll horizontally (nothing wider than the viewport). */
export async function hasNoHorizontalOverflow(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number }; body: { scrollWidth: number } } };
    return w.document.documentElement.scrollWidth <= w.innerWidth && w.document.body.scrollWidth <= w.innerWidth;
  });
}

/** True when the element is displayed entirely inside the viewport's width. */
export async function visibleWithinWidth(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).first().boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  return box !== null && box.width > 0 && box.height > 0 && box.x >= 0 && box.x + box.width <= width + 0.5;
}
