export { registerConsoleRoutes, consoleDistDir, CONSOLE_NOT_BUILT } from './routes.ts';
export type { ConsoleRoutesOptions } from './routes.ts';
