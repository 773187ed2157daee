import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const LAUNCHER = fileURLToPath(new URL('../bin/tessera.mjs', import.meta.url));
// Preloaded before the launcher runs, in every node the command starts: says which pid it is
// and what MALLOC_ARENA_MAX its environment has.
const PROBE = `data:text/javascript,process.stderr.write('probe '+process.pid+' '+(process.env.MALLOC_ARENA_MAX??'unset')+'\\n')`;

/** Runs `tessera -help` through the launcher; returns the probe's lines. */
async function probeLines(env: NodeJS.ProcessEnv): Promise<string[]> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', PROBE, LAUNCHER, '-help'], { env });
  expect(stdout).toContain('Usage');
  return stderr.split('\n').filter((l) => l.startsWith('probe '));
}

function envWithout(name: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[name];
  return env;
}

describe('the tessera launcher', () => {
  it.runIf(typeof process.execve === 'function')('restarts itself once, as the same process, with MALLOC_ARENA_MAX=2', async () => {
    const lines = await probeLines(envWithout('MALLOC_ARENA_MAX'));
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => l.split(' '));
    expect(first![2]).toBe('unset');
    expect(second![2]).toBe('2');
    expect(second![1]).toBe(first![1]); // execve: same pid, so signals and /proc readers still see Tessera
  });

  it('keeps a MALLOC_ARENA_MAX that is already set and starts only once', async () => {
    const lines = await probeLines({ ...process.env, MALLOC_ARENA_MAX: '8' });
    expect(lines.map((l) => l.split(' ')[2])).toEqual(['8']);
  });
});
