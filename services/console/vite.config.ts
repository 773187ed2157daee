import { defineConfig } from 'vite';

// Built into dist/ (git-ignored) by the root `prepare` script, served by the querier at `/`.
// `npx -w @tessera/console vite` serves the sources with hot reload and passes API calls to the
// Tessera at TESSERA_URL (default http://127.0.0.1:9009).
const tessera = process.env.TESSERA_URL ?? 'http://127.0.0.1:9009';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(['/prometheus', '/api', '/ingester', '/distributor', '/alertmanager', '/metrics', '/ready', '/services', '/config'].map((p) => [p, tessera])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
    reportCompressedSize: false,
  },
});
