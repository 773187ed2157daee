/**
 * Where tenants' Alertmanager configurations live: one object per tenant, `alertmanager/<tenant>`,
 * holding the uploaded YAML, in the same bucket as the blocks (so every process sees them).
 */
import { isObjectNotFound, type Bucket } from '@tessera/objstore';

/** The bucket directory of the configurations. */
export const CONFIG_PREFIX = 'alertmanager';

/** Reads and writes tenants' configurations in a bucket. */
export class AlertmanagerConfigStore {
  readonly #bucket: Bucket;

  constructor(bucket: Bucket) {
    this.#bucket = bucket;
  }

  /** The tenant's stored YAML, or null when it has none. */
  async get(tenant: string): Promise<string | null> {
    try {
      return Buffer.from(await this.#bucket.get(`${CONFIG_PREFIX}/${tenant}`)).toString('utf8');
    } catch (e) {
      if (isObjectNotFound(e)) return null;
      throw e;
    }
  }

  async set(tenant: string, yaml: string): Promise<void> {
    await this.#bucket.upload(`${CONFIG_PREFIX}/${tenant}`, Buffer.from(yaml, 'utf8'));
  }

  async delete(tenant: string): Promise<void> {
    await this.#bucket.delete(`${CONFIG_PREFIX}/${tenant}`);
  }

  /** Every tenant with a stored configuration. */
  async tenants(): Promise<string[]> {
    const out: string[] = [];
    for await (const name of this.#bucket.list(CONFIG_PREFIX)) {
      if (!name.endsWith('/')) out.push(name.slice(CONFIG_PREFIX.length + 1));
    }
    return out;
  }
}
