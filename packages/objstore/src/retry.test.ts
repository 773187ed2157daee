import { describe, expect, it } from 'vitest';
import { backoffDelay, RetriesExhausted, withRetries } from './retry.ts';

const policy = { maxRetries: 4, minBackoffMs: 100, maxBackoffMs: 1000 };

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap, with the jitter in the upper half', () => {
    // [attempt, ceiling]: 100, 200, 400, 800, then capped at 1000.
    for (const [attempt, ceiling] of [
      [0, 100],
      [1, 200],
      [2, 400],
      [3, 800],
      [4, 1000],
      [40, 1000],
    ] as const) {
      expect(backoffDelay(policy, attempt, () => 0)).toBe(ceiling / 2);
      expect(backoffDelay(policy, attempt, () => 0.999999)).toBeCloseTo(ceiling, 3);
    }
  });
});

describe('withRetries', () => {
  const fast = { maxRetries: 3, minBackoffMs: 1, maxBackoffMs: 2 };

  it('retries retryable failures until success, reporting each retry', async () => {
    const retries: number[] = [];
    let calls = 0;
    const v = await withRetries(fast, { retryable: () => true, onRetry: (n) => retries.push(n) }, async (n) => {
      calls++;
      if (n < 2) throw new Error(`fail ${n}`);
      return 'ok';
    });
    expect(v).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([0, 1]);
  });

  it('stops at the first non-retryable error', async () => {
    let calls = 0;
    const e = await withRetries(fast, { retryable: (err) => (err as Error).message !== 'final' }, async () => {
      calls++;
      throw new Error(calls === 2 ? 'final' : 'transient');
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RetriesExhausted);
    expect((e as RetriesExhausted).attempts).toBe(2);
    expect((e as RetriesExhausted).transient).toBe(false);
    expect(((e as RetriesExhausted).cause as Error).message).toBe('final');
  });

  it('gives up after maxRetries retries', async () => {
    let calls = 0;
    const e = (await withRetries(fast, { retryable: () => true }, async () => {
      calls++;
      throw new Error('down');
    }).catch((err: unknown) => err)) as RetriesExhausted;
    expect(calls).toBe(4);
    expect(e.attempts).toBe(4);
    expect(e.transient).toBe(true);
  });

  it('waits between attempts', async () => {
    const start = Date.now();
    await withRetries({ maxRetries: 2, minBackoffMs: 40, maxBackoffMs: 1000 }, { retryable: () => true, random: () => 0 }, async (n) => {
      if (n < 2) throw new Error('x');
    });
    // 20 ms then 40 ms (half of 40 and 80 with random() = 0).
    expect(Date.now() - start).toBeGreaterThanOrEqual(55);
  });
});
