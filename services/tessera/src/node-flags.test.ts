import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TESSERA_NODE_FLAGS } from './node-flags.ts';

describe('TESSERA_NODE_FLAGS', () => {
  it('are the flags `npm start` runs Tessera with', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const start = pkg.scripts['start']!.split(/\s+/);
    expect(start[0]).toBe('node');
    expect(start.slice(1, 1 + TESSERA_NODE_FLAGS.length)).toEqual([...TESSERA_NODE_FLAGS]);
    expect(start.at(-1)).toBe('services/tessera/bin/tessera.mjs');
  });
});
