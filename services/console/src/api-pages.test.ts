import { describe, expect, it } from 'vitest';
import { selector } from './api-pages.ts';

describe('selector', () => {
  it.each([
    [{ __name__: 'up' }, 'up'],
    [{ __name__: 'up', job: 'api' }, 'up{job="api"}'],
    [{ job: 'a"b' }, '{job="a\\"b"}'],
    [{ 'my.label': 'x' }, '{"my.label"="x"}'],
    [{ __name__: 'my.metric', a: '1' }, '{__name__="my.metric", a="1"}'],
  ])('%j → %s', (labels, want) => {
    expect(selector(labels)).toBe(want);
  });
});
