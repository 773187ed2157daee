/**
 * Where rule groups live: the {@link RuleStore} interface the config API writes and the evaluator
 * polls, and its object-store implementation.
 *
 * Bucket layout (Mimir's): one object per group,
 * `rules/<tenant>/<namespace, URL-safe base64>/<group name, URL-safe base64>`, holding the group
 * as Prometheus YAML. Base64 (with `=` padding, Go's `base64.URLEncoding`) keeps any namespace or
 * group name — slashes, dots, unicode — a single valid object-name segment. Because every group
 * is its own object, writers of different groups never conflict, and a ruler needs no local state.
 */
import type { Bucket } from '@tessera/objstore';
import { isObjectNotFound } from '@tessera/objstore';
import { TesseraError } from '@tessera/server';
import { decodeRuleGroup } from './rule-group-parse.ts';
import { ruleGroupToYaml, type NamespacedRuleGroup, type RuleGroupDesc } from './rule-group.ts';

/** A group's address within a tenant. */
export interface RuleGroupKey {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The rule groups of every tenant. Listings are sorted by namespace, then group name (by UTF-16
 * code units, i.e. JavaScript's default sort). Methods may be called concurrently; writes of one
 * group are last-writer-wins.
 */
export interface RuleStore {
  /** Tenants that have at least one rule group, sorted. */
  listTenants(): Promise<string[]>;
  /** The groups of a tenant, or of one of its namespaces, without loading them. */
  listRuleGroups(tenant: string, namespace?: string): Promise<RuleGroupKey[]>;
  /** Loads the groups of a tenant, or of one of its namespaces. */
  loadRuleGroups(tenant: string, namespace?: string): Promise<NamespacedRuleGroup[]>;
  /** One group, or null when it does not exist. */
  getRuleGroup(tenant: string, namespace: string, name: string): Promise<RuleGroupDesc | null>;
  /** Creates or replaces the group named `group.name` in the namespace. */
  setRuleGroup(tenant: string, namespace: string, group: RuleGroupDesc): Promise<void>;
  /** Deletes one group; false when it did not exist. */
  deleteRuleGroup(tenant: string, namespace: string, name: string): Promise<boolean>;
  /** Deletes every group of a namespace; false when it had none. */
  deleteNamespace(tenant: string, namespace: string): Promise<boolean>;
}

/** The prefix under which all rule groups are stored. */
export const RULES_PREFIX = 'rules';

/** Encodes a namespace or group name as one object-name segment (URL-safe base64, padded). */
export function encodeSegment(s: string): string {
  const b = Buffer.from(s, 'utf8').toString('base64url');
  return b + '='.repeat((4 - (b.length % 4)) % 4);
}

/** Decodes {@link encodeSegment}; null when `seg` is not its output. */
export function decodeSegment(seg: string): string | null {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(seg) || seg.length % 4 !== 0) return null;
  const s = Buffer.from(seg, 'base64url').toString('utf8');
  return encodeSegment(s) === seg ? s : null;
}

/** Object name of a group. */
export function ruleGroupObjectName(tenant: string, namespace: string, name: string): string {
  return `${RULES_PREFIX}/${tenant}/${encodeSegment(namespace)}/${encodeSegment(name)}`;
}

/** Groups loaded at once by {@link BucketRuleStore.loadRuleGroups}. */
const LOAD_CONCURRENCY = 16;

/** A {@link RuleStore} over an object-store bucket (shared with the blocks, under `rules/`). */
export class BucketRuleStore implements RuleStore {
  readonly #bucket: Bucket;

  constructor(bucket: Bucket) {
    this.#bucket = bucket;
  }

  async listTenants(): Promise<string[]> {
    const out: string[] = [];
    await this.#bucket.iter(RULES_PREFIX, (name) => {
      if (name.endsWith('/')) out.push(name.slice(RULES_PREFIX.length + 1, -1));
    });
    return out.sort();
  }

  async listRuleGroups(tenant: string, namespace?: string): Promise<RuleGroupKey[]> {
    const dir = namespace === undefined ? `${RULES_PREFIX}/${tenant}` : `${RULES_PREFIX}/${tenant}/${encodeSegment(namespace)}`;
    const out: RuleGroupKey[] = [];
    await this.#bucket.iter(
      dir,
      (objectName) => {
        const parts = objectName.split('/');
        if (parts.length !== 4) return; // not a group object: ignore whatever else is there
        const ns = decodeSegment(parts[2]!);
        const name = decodeSegment(parts[3]!);
        if (ns !== null && name !== null) out.push({ namespace: ns, name });
      },
      { recursive: true },
    );
    return out.sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
  }

  async loadRuleGroups(tenant: string, namespace?: string): Promise<NamespacedRuleGroup[]> {
    const keys = await this.listRuleGroups(tenant, namespace);
    const out: (NamespacedRuleGroup | null)[] = new Array<NamespacedRuleGroup | null>(keys.length).fill(null);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        const i = next++;
        const k = keys[i]!;
        const group = await this.getRuleGroup(tenant, k.namespace, k.name);
        if (group !== null) out[i] = { namespace: k.namespace, group }; // deleted meanwhile: skipped
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, keys.length) }, worker));
    return out.filter((g): g is NamespacedRuleGroup => g !== null);
  }

  async getRuleGroup(tenant: string, namespace: string, name: string): Promise<RuleGroupDesc | null> {
    const objectName = ruleGroupObjectName(tenant, namespace, name);
    let bytes: Uint8Array;
    try {
      bytes = await this.#bucket.get(objectName);
    } catch (e) {
      if (isObjectNotFound(e)) return null;
      throw e;
    }
    const decoded = decodeRuleGroup(Buffer.from(bytes).toString('utf8'));
    if (!decoded.ok) {
      // Only this package writes these objects; one it cannot read is damage, not a user error.
      throw new TesseraError('internal', 'corrupt-rule-group', `rule group object ${objectName} cannot be decoded: ${decoded.errors.join('; ')}`);
    }
    return decoded.value.group;
  }

  async setRuleGroup(tenant: string, namespace: string, group: RuleGroupDesc): Promise<void> {
    await this.#bucket.upload(ruleGroupObjectName(tenant, namespace, group.name), Buffer.from(ruleGroupToYaml(group), 'utf8'));
  }

  async deleteRuleGroup(tenant: string, namespace: string, name: string): Promise<boolean> {
    const objectName = ruleGroupObjectName(tenant, namespace, name);
    if (!(await this.#bucket.exists(objectName))) return false;
    await this.#bucket.delete(objectName);
    return true;
  }

  async deleteNamespace(tenant: string, namespace: string): Promise<boolean> {
    const keys = await this.listRuleGroups(tenant, namespace);
    for (const k of keys) await this.#bucket.delete(ruleGroupObjectName(tenant, k.namespace, k.name));
    return keys.length > 0;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
