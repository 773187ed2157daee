#!/usr/bin/env node
// The `tessera` command (what `npm start` and the container run). Plain JavaScript, so that with
// a warm compile cache Node never loads its TypeScript stripper (a WebAssembly module whose
// memory stays resident): the cache keeps the stripped sources and their bytecode. Measured:
// idle RSS 125 MiB when main.ts is run directly, 98 MiB through this launcher with a warm cache.
// The cache lives in Node's default place (the OS temp dir); where that is not writable Node
// simply runs without it.
import module from 'node:module';

// glibc's malloc gives each thread that allocates concurrently its own arena (up to 8 per core),
// each keeping freed memory resident; two are enough for one event loop plus V8's and libuv's
// helper threads. Measured: idle RSS 101 → 98 MiB, RSS after the 10k-series memory phase of
// `npm run bench:ingest` 154 → 143 MiB; ingest and PromQL benchmarks unchanged within noise.
// glibc reads MALLOC_ARENA_MAX once, when a process starts, so it has to be in the environment
// node itself was started with: when it is missing, this launcher replaces itself (execve: same
// pid, node flags and arguments) with a node that has it, so every way of starting Tessera (npm
// start, the container, benchmarks, tests) gets it. A MALLOC_ARENA_MAX already set, to any value,
// is kept. Harmless where malloc is not glibc's.
if (process.env.MALLOC_ARENA_MAX === undefined && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, MALLOC_ARENA_MAX: '2' });
}

module.enableCompileCache?.();
await import('../src/main.ts');
