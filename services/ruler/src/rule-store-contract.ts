/**
 * Test support (not exported from the package): what every {@link BucketRuleStore} must do,
 * whatever bucket backs it. Run by rule-store.test.ts (filesystem) and
 * rule-store.integration.test.ts (S3, against s3rver).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bucket } from '@tessera/objstore';
import { BucketRuleStore } from './rule-store.ts';
import type { RuleDesc, RuleGroupDesc } from './rule-group.ts';

/** A rule with defaults for every field not given. */
export function testRule(over: Partial<RuleDesc>): RuleDesc {
  return { record: '', alert: '', expr: 'up', for: 0, keepFiringFor: 0, labels: {}, annotations: {}, ...over };
}

/** A group named `name` holding `rules` (one recording rule by default). */
export function testGroup(name: string, rules: RuleDesc[] = [testRule({ record: 'x' })]): RuleGroupDesc {
  return { name, interval: 0, limit: 0, rules };
}

/** A fresh, empty bucket and how to dispose of it. */
export type OpenBucket = () => Promise<{ bucket: Bucket; cleanup: () => Promise<void> }>;

/** Registers the contract's tests for a backend. */
export function ruleStoreContract(backend: string, open: OpenBucket): void {
  describe(`BucketRuleStore over ${backend}`, () => {
    let bucket: Bucket;
    let cleanup: () => Promise<void>;
    let store: BucketRuleStore;

    beforeEach(async () => {
      ({ bucket, cleanup } = await open());
      store = new BucketRuleStore(bucket);
    });

    afterEach(async () => {
      await bucket.close();
      await cleanup();
    });

    it('stores, lists, loads and deletes groups per tenant and namespace', async () => {
      const alert = testRule({ alert: 'Down', expr: 'up == 0', for: 300_000, labels: { severity: 'page' }, annotations: { summary: '{{ $labels.job }}' } });
      await store.setRuleGroup('t1', 'ns/b', testGroup('g2'));
      await store.setRuleGroup('t1', 'ns/b', testGroup('g1', [alert]));
      await store.setRuleGroup('t1', 'a', testGroup('z'));
      await store.setRuleGroup('t2', 'a', testGroup('z'));

      expect(await store.listTenants()).toEqual(['t1', 't2']);
      expect(await store.listRuleGroups('t1')).toEqual([
        { namespace: 'a', name: 'z' },
        { namespace: 'ns/b', name: 'g1' },
        { namespace: 'ns/b', name: 'g2' },
      ]);
      expect(await store.listRuleGroups('t1', 'ns/b')).toHaveLength(2);
      expect(await store.listRuleGroups('nobody')).toEqual([]);

      expect(await store.getRuleGroup('t1', 'ns/b', 'g1')).toEqual(testGroup('g1', [alert]));
      const loaded = await store.loadRuleGroups('t1');
      expect(loaded.map((g) => `${g.namespace}:${g.group.name}`)).toEqual(['a:z', 'ns/b:g1', 'ns/b:g2']);

      expect(await store.deleteRuleGroup('t1', 'ns/b', 'g2')).toBe(true);
      expect(await store.deleteRuleGroup('t1', 'ns/b', 'g2')).toBe(false);
      expect(await store.getRuleGroup('t1', 'ns/b', 'g2')).toBeNull();

      expect(await store.deleteNamespace('t1', 'ns/b')).toBe(true);
      expect(await store.deleteNamespace('t1', 'ns/b')).toBe(false);
      expect(await store.deleteNamespace('t1', 'a')).toBe(true);
      expect(await store.listTenants()).toEqual(['t2']);
    });

    it('keeps the Mimir layout under rules/<tenant>/ with the group as Prometheus YAML', async () => {
      await store.setRuleGroup('t1', 'ns', { name: 'g', interval: 60_000, limit: 0, rules: [testRule({ record: 'a:b', expr: 'sum(x)', labels: { z: '1', a: '2' } })] });
      const names: string[] = [];
      for await (const n of bucket.list('rules', { recursive: true })) names.push(n);
      expect(names).toEqual(['rules/t1/bnM=/Zw==']);
      const text = Buffer.from(await bucket.get('rules/t1/bnM=/Zw==')).toString('utf8');
      expect(text).toBe('name: g\ninterval: 1m\nrules:\n  - record: a:b\n    expr: sum(x)\n    labels:\n      a: "2"\n      z: "1"\n');
    });

    it('replaces a group stored under the same name', async () => {
      await store.setRuleGroup('t', 'ns', testGroup('g', [testRule({ record: 'one' })]));
      await store.setRuleGroup('t', 'ns', testGroup('g', [testRule({ record: 'two' })]));
      expect((await store.getRuleGroup('t', 'ns', 'g'))?.rules.map((r) => r.record)).toEqual(['two']);
      expect(await store.listRuleGroups('t')).toHaveLength(1);
    });

    it('keeps any namespace and group name: slashes, dots, unicode, __proto__', async () => {
      const names = ['..', 'a/b/c', 'Überwachung prod', '__proto__', 'x?y#z%20'];
      for (const n of names) await store.setRuleGroup('t', n, testGroup(n));
      const keys = await store.listRuleGroups('t');
      expect(keys.map((k) => k.namespace).sort()).toEqual([...names].sort());
      for (const k of keys) expect(k.name).toBe(k.namespace);
      expect((await store.getRuleGroup('t', 'a/b/c', 'a/b/c'))?.name).toBe('a/b/c');
    });

    it('ignores objects that are not groups, and fails loudly on a damaged group', async () => {
      await bucket.upload('rules/t/stray-file', Buffer.from('x'));
      await bucket.upload('rules/t/bnM=/Zw==/deeper', Buffer.from('x'));
      expect(await store.listRuleGroups('t')).toEqual([]);
      await bucket.upload('rules/t/bnM=/aA==', Buffer.from('name: h\nbogus: 1\n'));
      await expect(store.getRuleGroup('t', 'ns', 'h')).rejects.toMatchObject({ code: 'corrupt-rule-group', kind: 'internal' });
    });

    it('keeps label names such as __proto__ as plain keys', async () => {
      await store.setRuleGroup('t', 'ns', testGroup('g', [testRule({ alert: 'A', labels: Object.fromEntries([['__proto__', 'x']]) })]));
      const g = await store.getRuleGroup('t', 'ns', 'g');
      expect(Object.entries(g!.rules[0]!.labels)).toEqual([['__proto__', 'x']]);
    });
  });
}
