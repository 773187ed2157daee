#!/usr/bin/env node
// Launcher for `tessera` when installed as a package binary: runs the TypeScript entry point
// under Node 24's type stripping.
import '../src/main.ts';
