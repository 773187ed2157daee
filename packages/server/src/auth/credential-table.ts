/**
 * The tenants file: its format, its validation, and the credential table built from it.
 *
 * ```yaml
 * tenants:
 *   team-a:                                  # tenant ID (validateTenantId's rules)
 *     bearer_tokens: ["<token>"]             # plain tokens
 *     bearer_token_sha256: ["<64 hex>"]      # or SHA-256 digests of tokens
 *     basic_auth:
 *       - {username: alice, password: "<password>"}
 *       - {username: bob, password_sha256: "<64 hex>"}   # SHA-256 of the password
 *   team-b: {}                               # a tenant without credentials: no one can use it
 * ```
 *
 * Rules, checked all at once so one pass reports every problem:
 * - the top level holds exactly `tenants` (a mapping, possibly empty). Requiring the key means an
 *   empty or half-written file is refused, so it cannot lock everyone out by accident;
 * - every scalar is read as a string (YAML's failsafe schema): `password: 0123` is the password
 *   "0123", never the number 83; an empty value means "none";
 * - a credential names one tenant: a bearer token (plain or hashed) or a basic-auth username
 *   listed under two tenants is an error naming both. Within one tenant, repeats are allowed (a
 *   user with an old and a new password during a rotation);
 * - messages name tenants, positions and usernames, never a token, password or digest.
 */
import { isCollection, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { validateTenantId } from '@tessera/model';
import { ConfigError } from '../config/config-error.ts';
import { INVALID, BEARER_TOKEN_CHARS, type AuthResult, type CredentialLookup } from './authenticator.ts';
import { parseSha256Hex, sha256, type CredentialKeys } from './credential-keys.ts';

/** Credentials resolved to tenants. Immutable: a reload builds a new table. */
export class CredentialTable implements CredentialLookup {
  readonly #keys: CredentialKeys;
  readonly #bearer: ReadonlyMap<string, AuthResult>;
  readonly #basic: ReadonlyMap<string, AuthResult>;
  /** Tenant IDs in the file, sorted. */
  readonly tenants: readonly string[];

  /** Use {@link parseTenantsFile}; the maps must be keyed with `keys`. */
  constructor(keys: CredentialKeys, bearer: ReadonlyMap<string, AuthResult>, basic: ReadonlyMap<string, AuthResult>, tenants: readonly string[]) {
    this.#keys = keys;
    this.#bearer = bearer;
    this.#basic = basic;
    this.tenants = tenants;
  }

  /** Number of distinct credentials (tokens and username/password pairs). */
  get size(): number {
    return this.#bearer.size + this.#basic.size;
  }

  /** The tenant of a bearer token; INVALID when unknown. */
  bearer(token: string): AuthResult {
    return this.#bearer.get(this.#keys.bearer(sha256(token))) ?? INVALID;
  }

  /** The tenant of a basic-auth pair; INVALID for an unknown user and a wrong password alike. */
  basic(username: string, password: string): AuthResult {
    return this.#basic.get(this.#keys.basic(username, sha256(password))) ?? INVALID;
  }
}

interface Owner {
  readonly tenant: string;
  readonly at: string;
}

const TENANT_KEYS = new Set(['bearer_tokens', 'bearer_token_sha256', 'basic_auth']);
const BASIC_KEYS = new Set(['username', 'password', 'password_sha256']);
// RFC 7617: the user id cannot contain a colon; control characters are refused on both sides.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses and validates tenants-file text.
 *
 * @param source names the file in messages, e.g. `tenants file /etc/tessera/tenants.yaml`.
 * @throws ConfigError listing every problem; no message contains a secret.
 */
export function parseTenantsFile(text: string, source: string, keys: CredentialKeys): CredentialTable {
  const data = parseYaml(text, source);
  const problems: string[] = [];
  const where = ` in ${source}`;
  if (!isMap(data)) throw new ConfigError(`${source}: expected a mapping with the key "tenants" at the top level`);
  for (const key of Object.keys(data)) {
    if (key !== 'tenants') problems.push(`unknown key ${JSON.stringify(key)}${where}: the file holds only "tenants"`);
  }
  const tenantsNode = data['tenants'];
  if (tenantsNode === undefined) problems.push(`${source} has no "tenants" key (write "tenants: {}" for none)`);
  else if (tenantsNode !== '' && !isMap(tenantsNode)) problems.push(`tenants${where} must be a mapping of tenant IDs, got ${kind(tenantsNode)}`);

  const bearer = new Map<string, AuthResult>();
  const basic = new Map<string, AuthResult>();
  const bearerOwner = new Map<string, Owner>();
  const userOwner = new Map<string, Owner>();
  const tenants: string[] = [];

  for (const [tenant, entry] of Object.entries(isMap(tenantsNode) ? tenantsNode : {})) {
    const at = `tenants.${tenant}`;
    const bad = validateTenantId(tenant);
    if (bad !== null) {
      problems.push(`invalid tenant ID at ${at}${where}: ${bad}`);
      continue;
    }
    tenants.push(tenant);
    if (entry === '') continue;
    if (!isMap(entry)) {
      problems.push(`${at}${where} must be a mapping of credentials, got ${kind(entry)}`);
      continue;
    }
    for (const key of Object.keys(entry)) {
      if (!TENANT_KEYS.has(key)) problems.push(`unknown key ${JSON.stringify(`${at}.${key}`)}${where}: expected bearer_tokens, bearer_token_sha256 or basic_auth`);
    }
    const result: AuthResult = Object.freeze({ ok: true, tenant });

    const addBearer = (digest: Buffer, pos: string): void => {
      const key = keys.bearer(digest);
      const owner = bearerOwner.get(key);
      if (owner !== undefined && owner.tenant !== tenant) {
        problems.push(`${pos}${where} repeats a bearer token of tenant ${JSON.stringify(owner.tenant)} (${owner.at}): a credential names one tenant`);
        return;
      }
      if (owner === undefined) bearerOwner.set(key, { tenant, at: pos });
      bearer.set(key, result);
    };
    list(entry['bearer_tokens'], `${at}.bearer_tokens`, where, problems).forEach((token, i) => {
      const pos = `${at}.bearer_tokens[${i}]`;
      if (typeof token !== 'string' || token === '') problems.push(`${pos}${where} must be a non-empty string`);
      else if (!BEARER_TOKEN_CHARS.test(token)) problems.push(`${pos}${where} may hold only visible ASCII characters without spaces`);
      else addBearer(sha256(token), pos);
    });
    list(entry['bearer_token_sha256'], `${at}.bearer_token_sha256`, where, problems).forEach((hex, i) => {
      const pos = `${at}.bearer_token_sha256[${i}]`;
      const digest = typeof hex === 'string' ? parseSha256Hex(hex) : undefined;
      if (digest === undefined) problems.push(`${pos}${where} must be a SHA-256 digest written as 64 hex digits`);
      else addBearer(digest, pos);
    });

    list(entry['basic_auth'], `${at}.basic_auth`, where, problems).forEach((pair, i) => {
      const pos = `${at}.basic_auth[${i}]`;
      if (!isMap(pair)) {
        problems.push(`${pos}${where} must be a mapping with username and password (or password_sha256), got ${kind(pair)}`);
        return;
      }
      for (const key of Object.keys(pair)) {
        if (!BASIC_KEYS.has(key)) problems.push(`unknown key ${JSON.stringify(`${pos}.${key}`)}${where}: expected username, password or password_sha256`);
      }
      const username = pair['username'];
      const digest = passwordDigest(pair, pos, where, problems);
      if (typeof username !== 'string' || username === '') {
        problems.push(`${pos}.username${where} must be a non-empty string`);
        return;
      }
      if (username.includes(':') || CONTROL.test(username)) {
        problems.push(`${pos}.username${where} must not contain ":" or control characters`);
        return;
      }
      const owner = userOwner.get(username);
      if (owner !== undefined && owner.tenant !== tenant) {
        problems.push(`basic-auth username ${JSON.stringify(username)} at ${pos}${where} is already listed for tenant ${JSON.stringify(owner.tenant)} (${owner.at}): a username belongs to one tenant`);
        return;
      }
      if (owner === undefined) userOwner.set(username, { tenant, at: pos });
      if (digest !== undefined) basic.set(keys.basic(username, digest), result);
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new CredentialTable(keys, bearer, basic, tenants.sort());
}

/** The SHA-256 digest of a basic-auth entry's password, from exactly one of its two keys. */
function passwordDigest(pair: Record<string, unknown>, pos: string, where: string, problems: string[]): Buffer | undefined {
  const plain = pair['password'];
  const hex = pair['password_sha256'];
  if (plain !== undefined && hex !== undefined) {
    problems.push(`${pos}${where} has both password and password_sha256: give one`);
    return undefined;
  }
  if (hex !== undefined) {
    const digest = typeof hex === 'string' ? parseSha256Hex(hex) : undefined;
    if (digest === undefined) problems.push(`${pos}.password_sha256${where} must be a SHA-256 digest written as 64 hex digits`);
    return digest;
  }
  if (typeof plain !== 'string' || plain === '') {
    problems.push(`${pos}${where} needs a non-empty password or password_sha256`);
    return undefined;
  }
  if (CONTROL.test(plain)) {
    problems.push(`${pos}.password${where} must not contain control characters`);
    return undefined;
  }
  return sha256(plain);
}

/** A list value; an empty scalar is an empty list. */
function list(node: unknown, at: string, where: string, problems: string[]): unknown[] {
  if (node === undefined || node === '') return [];
  if (Array.isArray(node)) return node;
  problems.push(`${at}${where} must be a list, got ${kind(node)}`);
  return [];
}

/**
 * YAML text to plain data with every scalar a string. Parser messages carry positions, not text.
 * Repeated keys are refused, and so is a collection used as a key, before conversion, which would
 * otherwise print the key (possibly a secret) in a process warning.
 */
function parseYaml(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below: yaml's own uniqueKeys check is quadratic in a mapping's size
  // (1.7 s instead of 0.4 s for 10,000 tenants).
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false, lineCounter });
  const at = (offset: number): string => {
    const p = lineCounter.linePos(offset);
    return `line ${p.line}, column ${p.col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${source}: invalid YAML at ${at(e.pos[0])}: ${firstLine(e.message)}`));
  }
  const badKeys: string[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (isScalar(key)) {
          const k = String(key.value);
          if (seen.has(k)) badKeys.push(`${source}: invalid YAML at ${at(key.range?.[0] ?? 0)}: Map keys must be unique`);
          seen.add(k);
        } else if (isCollection(key)) {
          badKeys.push(`${source}: invalid YAML at ${at(key.range?.[0] ?? 0)}: mapping keys must be plain strings`);
        }
      }
    },
  });
  if (badKeys.length > 0) throw new ConfigError(badKeys);
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? '';
  } catch {
    throw new ConfigError(`${source}: invalid YAML: an alias is undefined or expands too much`);
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a value is, without showing it (it may be a secret). */
function kind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isMap(v)) return 'a mapping';
  return 'a string';
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl < 0 ? s : s.slice(0, nl);
}
