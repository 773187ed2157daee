import { describe, expect, it } from 'vitest';
import { isConfigError, type ConfigError } from '../config/config-error.ts';
import { CredentialKeys, sha256 } from './credential-keys.ts';
import { parseTenantsFile } from './credential-table.ts';

const SRC = 'tenants file t.yaml';
const keys = new CredentialKeys();
const parse = (text: string) => parseTenantsFile(text, SRC, keys);

function problemsOf(text: string): readonly string[] {
  try {
    parse(text);
  } catch (e) {
    if (isConfigError(e)) return (e as ConfigError).problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const GOOD = `
tenants:
  team-a:
    bearer_tokens: ["token-a-1", token-a-2]
    basic_auth:
      - {username: alice, password: "pa:ss word"}
      - {username: alice, password: rotated}
  team-b:
    bearer_token_sha256: ["${sha256('token-b').toString('hex').toUpperCase()}"]
    basic_auth:
      - username: bob
        password_sha256: ${sha256('bob-pw').toString('hex')}
  "123":
    basic_auth: [{username: carol, password: 0123}]
  idle:
`;

describe('parseTenantsFile', () => {
  it('maps plain and hashed tokens and passwords to their tenants', () => {
    const t = parse(GOOD);
    expect(t.tenants).toEqual(['123', 'idle', 'team-a', 'team-b']);
    expect(t.size).toBe(7);
    expect(t.bearer('token-a-1')).toEqual({ ok: true, tenant: 'team-a' });
    expect(t.bearer('token-a-2')).toEqual({ ok: true, tenant: 'team-a' });
    expect(t.bearer('token-b')).toEqual({ ok: true, tenant: 'team-b' });
    expect(t.basic('alice', 'pa:ss word')).toEqual({ ok: true, tenant: 'team-a' });
    expect(t.basic('alice', 'rotated')).toEqual({ ok: true, tenant: 'team-a' });
    expect(t.basic('bob', 'bob-pw')).toEqual({ ok: true, tenant: 'team-b' });
    // Scalars are strings: 0123 is the password "0123", not the number 83 or 123.
    expect(t.basic('carol', '0123')).toEqual({ ok: true, tenant: '123' });
    expect(t.basic('carol', '123').ok).toBe(false);
  });

  it('answers unknown users, wrong passwords and unknown tokens identically', () => {
    const t = parse(GOOD);
    const unknownUser = t.basic('mallory', 'rotated');
    expect(unknownUser).toEqual({ ok: false, reason: 'invalid' });
    expect(t.basic('alice', 'wrong')).toBe(unknownUser);
    expect(t.basic('bob', 'token-a-1')).toBe(unknownUser);
    expect(t.bearer('nope')).toBe(unknownUser);
    // A token is not a password, nor the other way round.
    expect(t.bearer('rotated')).toBe(unknownUser);
    expect(t.basic('alice', 'token-a-1')).toBe(unknownUser);
  });

  it('accepts an empty tenants mapping (nobody can authenticate)', () => {
    const t = parse('tenants: {}\n');
    expect(t.tenants).toEqual([]);
    expect(t.bearer('x').ok).toBe(false);
  });

  it.each([
    ['', /expected a mapping with the key "tenants"/],
    ['# only a comment\n', /expected a mapping with the key "tenants"/],
    ['tenant:\n  a: {}\n', /unknown key "tenant" in tenants file t\.yaml/],
    ['other: 1\n', /has no "tenants" key/],
    ['tenants: [a, b]\n', /tenants in tenants file t\.yaml must be a mapping of tenant IDs, got a list/],
    ['tenants:\n  "..": {}\n', /invalid tenant ID at tenants\.\.\. .*must not be "\." or "\.\."/],
    ['tenants:\n  "a b": {}\n', /invalid tenant ID at tenants\.a b .*unsupported character " "/],
    ['tenants:\n  a: [x]\n', /tenants\.a .* must be a mapping of credentials, got a list/],
    ['tenants:\n  a: {bearer_token: [x]}\n', /unknown key "tenants\.a\.bearer_token"/],
    ['tenants:\n  a: {bearer_tokens: x}\n', /tenants\.a\.bearer_tokens .* must be a list, got a string/],
    ['tenants:\n  a: {bearer_tokens: [""]}\n', /tenants\.a\.bearer_tokens\[0\] .* must be a non-empty string/],
    ['tenants:\n  a: {bearer_tokens: ["has space"]}\n', /bearer_tokens\[0\] .* visible ASCII characters without spaces/],
    ['tenants:\n  a: {bearer_tokens: [[x]]}\n', /bearer_tokens\[0\] .* must be a non-empty string/],
    ['tenants:\n  a: {bearer_token_sha256: [abc]}\n', /bearer_token_sha256\[0\] .* 64 hex digits/],
    ['tenants:\n  a: {basic_auth: [x]}\n', /basic_auth\[0\] .* must be a mapping with username and password/],
    ['tenants:\n  a: {basic_auth: [{password: p}]}\n', /basic_auth\[0\]\.username .* must be a non-empty string/],
    ['tenants:\n  a: {basic_auth: [{username: "a:b", password: p}]}\n', /basic_auth\[0\]\.username .* must not contain ":"/],
    ['tenants:\n  a: {basic_auth: [{username: u}]}\n', /basic_auth\[0\] .* needs a non-empty password or password_sha256/],
    ['tenants:\n  a: {basic_auth: [{username: u, password: p, password_sha256: p}]}\n', /has both password and password_sha256/],
    ['tenants:\n  a: {basic_auth: [{username: u, password_sha256: zz}]}\n', /password_sha256 .* 64 hex digits/],
    ['tenants:\n  a: {basic_auth: [{username: u, pasword: p}]}\n', /unknown key "tenants\.a\.basic_auth\[0\]\.pasword"/],
    ['tenants:\n  a: {}\n  a: {}\n', /invalid YAML at line 3, column 3: Map keys must be unique/],
    ['tenants:\n  a:\n    basic_auth:\n      - {username: u, password: p1, password: p2}\n', /invalid YAML at line 4, column 37: Map keys must be unique/],
    ['tenants:\n  a: {bearer_tokens: ["x"\n', /invalid YAML at line \d+, column \d+/],
    ['tenants:\n  ? [a]\n  : {}\n', /invalid YAML at line 2, column 5: mapping keys must be plain strings/],
    ['tenants:\n  a: *nowhere\n', /invalid YAML/],
  ])('refuses %j', (text, want) => {
    expect(problemsOf(text).join('\n')).toMatch(want);
  });

  it('reports every problem of a file at once', () => {
    const problems = problemsOf('tenants:\n  "..": {}\n  b: {bearer_tokens: [""], basic_auth: [{username: u}]}\n');
    expect(problems).toHaveLength(3);
  });

  it('refuses a bearer token listed for two tenants, naming both, plain or hashed', () => {
    const plain = problemsOf('tenants:\n  team-a: {bearer_tokens: [shared-tok]}\n  team-b: {bearer_tokens: [other, shared-tok]}\n');
    expect(plain).toEqual([
      'tenants.team-b.bearer_tokens[1] in tenants file t.yaml repeats a bearer token of tenant "team-a" (tenants.team-a.bearer_tokens[0]): a credential names one tenant',
    ]);
    const hashed = problemsOf(`tenants:\n  team-a: {bearer_tokens: [shared-tok]}\n  team-b: {bearer_token_sha256: [${sha256('shared-tok').toString('hex')}]}\n`);
    expect(hashed.join('\n')).toMatch(/team-b\.bearer_token_sha256\[0\] .* repeats a bearer token of tenant "team-a"/);
  });

  it('refuses a basic-auth username listed for two tenants, naming both, whatever the passwords', () => {
    const problems = problemsOf('tenants:\n  team-a: {basic_auth: [{username: alice, password: p1}]}\n  team-b: {basic_auth: [{username: alice, password: p2}]}\n');
    expect(problems).toEqual([
      'basic-auth username "alice" at tenants.team-b.basic_auth[0] in tenants file t.yaml is already listed for tenant "team-a" (tenants.team-a.basic_auth[0]): a username belongs to one tenant',
    ]);
  });

  it('allows a credential repeated within one tenant', () => {
    const t = parse('tenants:\n  a: {bearer_tokens: [t1, t1], basic_auth: [{username: u, password: p}, {username: u, password: p}]}\n');
    expect(t.bearer('t1')).toEqual({ ok: true, tenant: 'a' });
    expect(t.size).toBe(2);
  });

  it('never puts a secret in a message', () => {
    const secrets = ['s3cr3t-TOKEN', 'pAssw0rd-xyz', sha256('h').toString('hex')];
    const texts = [
      `tenants:\n  a: {bearer_tokens: [${secrets[0]}]}\n  b: {bearer_tokens: [${secrets[0]}]}\n`,
      `tenants:\n  a: {bearer_tokens: "${secrets[0]}"}\n`,
      `tenants:\n  a: {bearer_tokens: ["${secrets[0]} x"]}\n`,
      `tenants:\n  a: {bearer_token_sha256: [${secrets[0]}]}\n`,
      `tenants:\n  a: {basic_auth: [{username: u, password: ${secrets[1]}, password_sha256: ${secrets[2]}}]}\n`,
      `tenants:\n  a: {basic_auth: ["${secrets[1]}"]}\n`,
      `tenants:\n  a: {basic_auth: [{username: u, password: "${secrets[1]}\\u0001"}]}\n`,
      `tenants:\n  a: {bearer_tokens: ["${secrets[0]}"\n`,
      `tenants:\n  a: {bearer_tokens: [${secrets[0]}: ${secrets[1]}: x]}\n`,
      `tenants:\n  a:\n    bearer_tokens:\n   - ${secrets[0]} ${secrets[1]}\n  - x\n`,
      `tenants:\n  ? [${secrets[0]}]\n  : {}\n`,
      `tenants:\n  a: {bearer_tokens: [*${secrets[0]}]}\n`,
      `tenants:\n  a: {basic_auth: [{username: u, password: ${secrets[1]}, password: x}]}\n`,
    ];
    for (const text of texts) {
      const msg = problemsOf(text).join('\n');
      for (const s of secrets) expect(msg).not.toContain(s);
    }
  });
});
