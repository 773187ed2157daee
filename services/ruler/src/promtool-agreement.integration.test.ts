/**
 * Differential test against Prometheus's own checker: every fixture under testdata/ gets the same
 * verdict (valid or invalid) from `promtool check rules` and from Tessera.
 *
 * - testdata/rule-groups/*.yaml hold ONE rule group each, the body of the config API's POST.
 *   promtool checks it wrapped into a rules file (`groups: [<the group>]`); Tessera checks the same
 *   file with checkRulesFile AND receives the group through `POST /prometheus/config/v1/rules/…`
 *   (202 = valid, 400 = invalid). Where promtool blames a rule (`group "g", rule 1, "x": reason`),
 *   Tessera's message names the same group, rule and kind of reason.
 * - testdata/rule-files/*.yaml are whole rules files (several groups, a repeated group, fields at
 *   the top): promtool against checkRulesFile.
 *
 * Needs `promtool` (Debian's prometheus package; PATH or $PROMTOOL_BIN): skips with a notice
 * without it, and fails instead when TESSERA_REQUIRE_EXTERNAL=1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesystemBucket } from '@tessera/objstore';
import { createHttpServer, createLogger } from '@tessera/server';
import { registerRulesConfigApi } from './config-api.ts';
import { checkRulesFile } from './rule-group-validate.ts';
import { BucketRuleStore } from './rule-store.ts';

const BIN = process.env.PROMTOOL_BIN ?? 'promtool';
const available = spawnSync(BIN, ['--version']).status === 0;
const required = process.env.TESSERA_REQUIRE_EXTERNAL === '1';
if (!available && !required) {
  console.warn(`[skip] promtool-agreement.integration.test.ts: no "${BIN}" binary found; set PROMTOOL_BIN to run it`);
}

const TESTDATA = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'testdata');
const GROUPS_DIR = path.join(TESTDATA, 'rule-groups');
const FILES_DIR = path.join(TESTDATA, 'rule-files');
const groupFixtures = readdirSync(GROUPS_DIR).filter((f) => f.endsWith('.yaml')).sort();
const fileFixtures = readdirSync(FILES_DIR).filter((f) => f.endsWith('.yaml')).sort();

/** A one-group body as a rules file: the group becomes the single item of `groups`. */
function wrapGroup(text: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return 'groups:\n' + lines.map((l, i) => (i === 0 ? '  - ' : '    ') + l).join('\n') + '\n';
}

interface PromtoolVerdict {
  valid: boolean;
  output: string;
}

let dir = '';
let counter = 0;

function promtool(fileText: string): PromtoolVerdict {
  const file = path.join(dir, `rules-${counter++}.yml`);
  writeFileSync(file, fileText);
  const r = spawnSync(BIN, ['check', 'rules', file], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`promtool exited with ${r.status}: ${r.stderr}`);
  return { valid: r.status === 0, output: `${r.stdout}\n${r.stderr}` };
}

/** The `group "g", rule N, "name": <kind of reason>` parts of promtool's rule-level errors. */
function ruleBlames(output: string): string[] {
  const out: string[] = [];
  for (const m of output.matchAll(/(group ".*?", rule \d+, ".*?": )([^:\n]+)/g)) out.push(m[1]! + m[2]!);
  return out;
}

describe.skipIf(!available && !required)('promtool check rules and Tessera agree', () => {
  let bucket: FilesystemBucket;
  let app: FastifyInstance;

  beforeAll(async () => {
    if (!available) throw new Error(`TESSERA_REQUIRE_EXTERNAL=1 but no "${BIN}" binary was found`);
    dir = mkdtempSync(path.join(tmpdir(), 'tessera-promtool-'));
    bucket = new FilesystemBucket(path.join(dir, 'bucket'));
    app = createHttpServer({ logger: createLogger({ level: 'silent' }), registry: new Registry(), bodyLimitBytes: 1 << 20 });
    const noLimits = { rulerMaxRuleGroupsPerTenant: 0, rulerMaxRulesPerRuleGroup: 0 };
    registerRulesConfigApi(app, { store: new BucketRuleStore(bucket), limits: () => noLimits }, { authEnabled: true, prefix: '/prometheus' });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await bucket?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('has at least 20 single-group fixtures, valid and invalid', () => {
    expect(groupFixtures.length).toBeGreaterThanOrEqual(20);
    expect(groupFixtures.some((f) => f.startsWith('valid-'))).toBe(true);
    expect(groupFixtures.some((f) => f.startsWith('invalid-'))).toBe(true);
  });

  it.each(groupFixtures)('rule group %s', async (name) => {
    const text = readFileSync(path.join(GROUPS_DIR, name), 'utf8');
    const file = wrapGroup(text);
    const expected = promtool(file);
    // The fixture's name states the verdict it was written for: a guard against a fixture that
    // tests nothing because both sides accept it by accident.
    expect(expected.valid, `promtool: ${expected.output}`).toBe(name.startsWith('valid-'));

    const checked = checkRulesFile(file);
    const fileErrors = checked.ok ? [] : checked.errors;
    expect(checked.ok, fileErrors.join('\n')).toBe(expected.valid);

    const res = await app.inject({
      method: 'POST',
      url: `/prometheus/config/v1/rules/${encodeURIComponent(name)}`,
      headers: { 'x-scope-orgid': 'agreement', 'content-type': 'application/yaml' },
      payload: text,
    });
    expect(res.statusCode, res.body).toBe(expected.valid ? 202 : 400);

    for (const blame of ruleBlames(expected.output)) {
      expect(res.body, `promtool said: ${expected.output}`).toContain(blame);
      expect(fileErrors.join('\n')).toContain(blame);
    }
  });

  it.each(fileFixtures)('rules file %s', (name) => {
    const text = readFileSync(path.join(FILES_DIR, name), 'utf8');
    const expected = promtool(text);
    expect(expected.valid, `promtool: ${expected.output}`).toBe(name.startsWith('valid-'));
    const checked = checkRulesFile(text);
    expect(checked.ok, checked.ok ? '' : checked.errors.join('\n')).toBe(expected.valid);
  });
});
