import { describe, it, expect } from 'vitest';
import { a } from './x.ts';
describe('x', () => { it('works', () => { expect(a(1)).toBe(2); }); });
