import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@tessera/server';
import { compactorConfigFromOptions, compactorOptions } from './options.ts';

/** Loads the compactor's options from flags and an in-memory YAML file (when given). */
function load(argv: string[], yaml?: string): ReturnType<typeof loadConfig<typeof compactorOptions.defs>> {
  const args = yaml === undefined ? argv : ['-config.file=cfg.yaml', ...argv];
  return loadConfig(compactorOptions, args, { readFile: () => yaml ?? '' });
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('-compactor.samples-per-chunk', () => {
  it('defaults to 240', () => {
    expect(compactorConfigFromOptions(load([]), { dataDir: '/data' }).samplesPerChunk).toBe(240);
  });

  it('is read from the flag and from YAML compactor.samples_per_chunk', () => {
    expect(compactorConfigFromOptions(load(['-compactor.samples-per-chunk=120']), { dataDir: '/d' }).samplesPerChunk).toBe(120);
    expect(load([], 'compactor: {samples_per_chunk: 480}').compactorSamplesPerChunk).toBe(480);
    expect(load(['-compactor.samples-per-chunk=1000'], 'compactor: {samples_per_chunk: 480}').compactorSamplesPerChunk).toBe(1000);
  });

  it.each([
    ['-compactor.samples-per-chunk=119', 'invalid value "119" for flag -compactor.samples-per-chunk: must be at least 120'],
    ['-compactor.samples-per-chunk=1001', 'invalid value "1001" for flag -compactor.samples-per-chunk: must be at most 1000'],
    ['-compactor.samples-per-chunk=2.5', 'invalid value "2.5" for flag -compactor.samples-per-chunk: not an integer'],
  ])('rejects %s at start, naming the option', (flag, message) => {
    expect(messageOf(() => load([flag]))).toBe(message);
  });

  it('rejects a bad value in YAML, naming the key and the flag', () => {
    expect(messageOf(() => load([], 'compactor: {samples_per_chunk: 70000}'))).toMatch(
      /invalid value 70000 for compactor\.samples_per_chunk \(flag -compactor\.samples-per-chunk\) in config file cfg\.yaml: must be at most 1000/,
    );
  });

  it('rejects a bad value set in code when the config is built', () => {
    const v = load([]);
    v.compactorSamplesPerChunk = 60;
    expect(messageOf(() => compactorConfigFromOptions(v, { dataDir: '/d' }))).toBe('invalid value 60 for -compactor.samples-per-chunk: must be at least 120');
  });
});

describe('-compactor.partial-block-deletion-delay', () => {
  it('defaults to 1d', () => {
    expect(compactorConfigFromOptions(load([]), { dataDir: '/d' }).partialBlockDeletionDelayMs).toBe(24 * 3_600_000);
  });

  it('is read from the flag and from YAML compactor.partial_block_deletion_delay; 0 (disabled) is accepted', () => {
    expect(compactorConfigFromOptions(load(['-compactor.partial-block-deletion-delay=6h']), { dataDir: '/d' }).partialBlockDeletionDelayMs).toBe(6 * 3_600_000);
    expect(load([], 'compactor: {partial_block_deletion_delay: 2d}').compactorPartialBlockDeletionDelay).toBe(48 * 3_600_000);
    expect(load(['-compactor.partial-block-deletion-delay=0'], 'compactor: {partial_block_deletion_delay: 2d}').compactorPartialBlockDeletionDelay).toBe(0);
  });

  it('rejects a value that is not a duration, or one below 4h but not 0, naming the option', () => {
    expect(messageOf(() => load(['-compactor.partial-block-deletion-delay=soon']))).toMatch(/^invalid value "soon" for flag -compactor\.partial-block-deletion-delay: /);
    expect(messageOf(() => compactorConfigFromOptions(load(['-compactor.partial-block-deletion-delay=10m']), { dataDir: '/d' }))).toMatch(/-compactor\.partial-block-deletion-delay: must be 0 \(off\) or at least 4h/);
    expect(compactorConfigFromOptions(load(['-compactor.partial-block-deletion-delay=4h']), { dataDir: '/d' }).partialBlockDeletionDelayMs).toBe(4 * 3_600_000);
  });
});
