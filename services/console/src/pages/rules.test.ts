import { describe, expect, it } from 'vitest';
import { NEW_GROUP_TEMPLATE, groupNameOf } from './rules.ts';

describe('groupNameOf', () => {
  it.each([
    ['name: api\nrules: []\n', 'api'],
    ['rules: []\nname: "a \\"quoted\\" name"\n', 'a "quoted" name'],
    ["name: 'it''s'\n", "it's"],
    ['name: api  # the API\n', 'api'],
    ['  name: nested\n', undefined],
    ['name:\n  folded\n', undefined],
    ['name: &anchor x\n', undefined],
  ])('%j → %j', (text, want) => {
    expect(groupNameOf(text)).toBe(want);
  });

  it('reads the template', () => {
    expect(groupNameOf(NEW_GROUP_TEMPLATE)).toBe('example');
  });
});
