/**
 * Static checks of the deployment files in deploy/ and the Dockerfile: whatever a Tessera process
 * there is told (flags, the mounted tessera.yaml, environment) must load with Tessera's own config
 * loader, and the pieces must point at each other correctly: ports, service names, tenants, the
 * image's entry point and the files and packages the image needs. Nothing is started (no Docker
 * daemon or cluster here); an error here is one `docker compose up` or `kubectl apply -k` would
 * show only at run time.
 */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { isConfigError, loadConfig } from '@tessera/server';
import { alertsEndpoint, splitUrls } from '@tessera/alertmanager';
import { TARGETS, TESSERA_NODE_FLAGS, checkTargetConfig, tesseraOptions, type TesseraConfig } from '@tessera/tessera';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPOSE_DIR = path.join(ROOT, 'deploy/compose');
const K8S_DIR = path.join(ROOT, 'deploy/kubernetes/base');
const TENANT_HEADER = 'X-Scope-OrgID';
/** The targets a cluster deployment runs: every one but the single-process `all`. */
const CLUSTER_TARGETS = new Set<string>(TARGETS.filter((t) => t !== 'all'));
/** The targets that use the blocks bucket (blocks, rule groups, Alertmanager configurations). */
const BUCKET_TARGETS = new Set(['ingester', 'querier', 'compactor', 'ruler', 'alertmanager']);
/** Where the alertmanager target takes alerts (Alertmanager's v2 API under /alertmanager). */
const ALERTS_API = '/alertmanager/api/v2/alerts';

const read = (file: string): string => fs.readFileSync(file, 'utf8');
const yamlFile = <T>(file: string): T => parseYaml(read(file), { merge: true }) as T;

// ---------------------------------------------------------------------------------------------
// Tessera's view of a process: its flags and files loaded as `tessera` itself would load them.

/** A Tessera process declared by a deploy file, with the configuration it would start with. */
interface TesseraProcess {
  readonly where: string;
  readonly config: TesseraConfig;
}

/**
 * Loads `args` like `tessera` does, including the checks across options it makes before starting
 * a target; `files` maps paths inside the container to file contents.
 */
function loadProcess(where: string, args: readonly string[], files: ReadonlyMap<string, string>, env: Record<string, string>): TesseraProcess {
  const readFile = (p: string): string => {
    const text = files.get(p);
    if (text === undefined) throw new Error(`${p} is not mounted in ${where}`);
    return text;
  };
  try {
    const config = loadConfig(tesseraOptions, args, { readFile, env });
    checkTargetConfig(config);
    return { where, config };
  } catch (e) {
    if (isConfigError(e)) throw new Error(`${where}: Tessera refuses its configuration: ${(e as Error).message}`);
    throw e;
  }
}

/** The value of the option set by `-flag`; fails when Tessera no longer has that flag. */
function opt(p: TesseraProcess, flag: string): unknown {
  const o = tesseraOptions.byFlag(flag);
  if (o === undefined) throw new Error(`tesseraOptions has no -${flag}, which the deploy files rely on`);
  return (p.config as unknown as Record<string, unknown>)[o.key];
}
const target = (p: TesseraProcess): string => String(opt(p, 'target'));
const httpPort = (p: TesseraProcess): number => Number(opt(p, 'server.http-listen-port'));

/**
 * Problems with settings every process of one cluster must share: the rings (store, address,
 * replication factor, ruler heartbeat timeout), the internal token (a mismatch makes the internal
 * RPC answer 401), which must be set when auth is on, and the bucket of the processes that use one.
 */
function clusterProblems(procs: readonly TesseraProcess[]): string[] {
  const problems: string[] = [];
  const shared = ['ring.store', 'ring.redis.address', 'ring.replication-factor', 'internal.auth-token', 'auth.enabled', 'ruler.ring.heartbeat-timeout'];
  // One bucket: what the ingesters ship, the queriers, rulers and compactor must see.
  const bucket = ['blocks-storage.backend', 'blocks-storage.s3.endpoint', 'blocks-storage.s3.bucket-name', 'blocks-storage.s3.access-key-id', 'blocks-storage.s3.secret-access-key', 'blocks-storage.s3.insecure'];
  for (const flag of shared) {
    const values = new Set(procs.map((p) => opt(p, flag)));
    if (values.size !== 1) problems.push(`-${flag} differs between processes`);
  }
  for (const flag of bucket) {
    const values = new Set(procs.filter((p) => BUCKET_TARGETS.has(target(p))).map((p) => opt(p, flag)));
    if (values.size !== 1) problems.push(`-${flag} differs between processes`);
  }
  for (const p of procs) {
    if (target(p) === 'all') problems.push(`${p.where} runs -target=all in a cluster`);
    if (opt(p, 'auth.enabled') === true && opt(p, 'internal.auth-token') === '') problems.push(`${p.where}: auth is on but -internal.auth-token is empty`);
  }
  return problems;
}

function hostPort(address: string): { host: string; port: number } {
  const m = /^([A-Za-z0-9.-]+):(\d+)$/.exec(address);
  if (m === null) throw new Error(`not host:port: ${address}`);
  return { host: m[1]!, port: Number(m[2]) };
}

function urlParts(url: string): { host: string; port: number; path: string } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), path: u.pathname };
}

/** A bucket a MinIO client (`mc`) command creates: at which server, with which credentials. */
interface McBucket {
  readonly host: string;
  readonly port: number;
  readonly bucket: string;
  readonly user: string;
  readonly password: string;
}

/**
 * The buckets `mc mb` creates in a shell command: `mc alias set <alias> <url> <user> <password>`
 * names the server, `mc mb [--flags] <alias>/<bucket>...` creates; `$VAR` is taken from `env`.
 */
function mcBuckets(command: string, env: Record<string, string>): McBucket[] {
  const word = (w: string): string => w.replace(/^["']|["']$/g, '').replace(/^\$\{?(\w+)\}?$/, (_all, v: string) => env[v] ?? '');
  const aliases = new Map<string, { host: string; port: number; user: string; password: string }>();
  for (const m of command.matchAll(/\bmc alias set\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/g)) {
    const u = urlParts(word(m[2]!));
    aliases.set(m[1]!, { host: u.host, port: u.port, user: word(m[3]!), password: word(m[4]!) });
  }
  const out: McBucket[] = [];
  for (const m of command.matchAll(/\bmc mb((?:\s+[^\s;&|]+)+)/g)) {
    for (const target of m[1]!.trim().split(/\s+/).filter((w) => !w.startsWith('-'))) {
      const [alias = '', bucket = ''] = target.split('/');
      const server = aliases.get(alias);
      if (server !== undefined) out.push({ ...server, bucket });
    }
  }
  return out;
}

/** What a process uses the bucket with, in the shape of {@link McBucket}. */
function bucketOf(p: TesseraProcess): McBucket {
  expect(opt(p, 'blocks-storage.backend')).toBe('s3');
  const endpoint = String(opt(p, 'blocks-storage.s3.endpoint'));
  // host:port without a scheme: -blocks-storage.s3.insecure decides (MinIO here speaks plain HTTP).
  expect(endpoint).not.toMatch(/^https?:/);
  expect(opt(p, 'blocks-storage.s3.insecure')).toBe(true);
  const { host, port } = hostPort(endpoint);
  return { host, port, bucket: String(opt(p, 'blocks-storage.s3.bucket-name')), user: String(opt(p, 'blocks-storage.s3.access-key-id')), password: String(opt(p, 'blocks-storage.s3.secret-access-key')) };
}

/** The Alertmanager URLs a ruler sends to, each as the URL of its alerts API. */
const alertmanagerUrls = (p: TesseraProcess): { host: string; port: number; path: string }[] =>
  splitUrls(String(opt(p, 'ruler.alertmanager-url'))).map((u) => urlParts(alertsEndpoint(u, 'tenant').url));

// ---------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  readonly stage: string;
  readonly op: string;
  readonly rest: string;
}

/** Instructions in order, continuation lines joined, comments dropped, each with its stage. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = '';
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const m = /^(\S+)\s+(.*)$/s.exec(full)!;
    const op = m[1]!.toUpperCase();
    if (op === 'FROM') stage = /\sAS\s+(\S+)/i.exec(m[2]!)?.[1] ?? `stage${out.length}`;
    out.push({ stage, op, rest: m[2]! });
  }
  return out;
}

const jsonForm = (rest: string): string[] => JSON.parse(rest.trim()) as string[];

/** `COPY [--opts] src... dest` split into its options, sources and destination. */
function copyParts(rest: string): { from?: string; sources: string[]; dest: string } {
  const words = rest.trim().split(/\s+/);
  const opts = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = opts.find((o) => o.startsWith('--from='))?.slice('--from='.length);
  return { ...(from === undefined ? {} : { from }), sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

const dockerfile = parseDockerfile(read(path.join(ROOT, 'deploy/Dockerfile')));
const runtimeStage = dockerfile.filter((i) => i.op === 'FROM').at(-1)!.stage;
const inRuntime = (op: string): Instruction[] => dockerfile.filter((i) => i.stage === runtimeStage && i.op === op);
const imagePort = Number(inRuntime('EXPOSE')[0]?.rest);
const imageUser = inRuntime('USER').at(-1)?.rest ?? '';
const dockerignore = read(path.join(ROOT, '.dockerignore')).split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

/** True when .dockerignore keeps `rel` (or a folder above it) out of the build context. */
function ignored(rel: string): boolean {
  const parts = rel.split('/');
  return dockerignore.some((pattern) => !pattern.startsWith('!') && parts.some((_, i) => path.posix.matchesGlob(parts.slice(0, i + 1).join('/'), pattern)));
}

// ---------------------------------------------------------------------------------------------
// What the image must contain: the files `tessera` loads, and the packages they import.

interface Workspace {
  readonly name: string;
  readonly dir: string;
  readonly entry: string | undefined;
  readonly dependencies: ReadonlySet<string>;
}

function workspaces(): Workspace[] {
  const rootPkg = JSON.parse(read(path.join(ROOT, 'package.json'))) as { workspaces: string[] };
  const dirs = rootPkg.workspaces.flatMap((w) =>
    w.endsWith('/*') ? fs.readdirSync(path.join(ROOT, w.slice(0, -2))).map((d) => path.join(ROOT, w.slice(0, -2), d)) : [path.join(ROOT, w)],
  );
  return dirs
    .filter((d) => fs.existsSync(path.join(d, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(read(path.join(dir, 'package.json'))) as { name: string; exports?: Record<string, string>; dependencies?: Record<string, string> };
      const entry = pkg.exports?.['.'];
      return { name: pkg.name, dir, entry: entry === undefined ? undefined : path.join(dir, entry), dependencies: new Set(Object.keys(pkg.dependencies ?? {})) };
    });
}

const SPECIFIERS = [
  /^\s*(?:import|export)\s+(?!type\s)[^'";]*?\sfrom\s*['"]([^'"]+)['"]/gm, // import { a } from 'x'
  /^\s*import\s*['"]([^'"]+)['"]/gm, // import 'x'
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, // import('x')
  /\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g, // worker scripts, .proto files
];

/**
 * Follows the imports from `entry` through relative paths and workspace packages. Returns every
 * file reached (repository-relative) and each import of a package the importing workspace does
 * not list in its `dependencies` (so `npm ci --omit=dev --workspace=…` would not install it).
 */
function runtimeGraph(entry: string): { files: string[]; undeclared: string[] } {
  const spaces = workspaces();
  const byName = new Map(spaces.map((w) => [w.name, w]));
  const owner = (file: string): Workspace | undefined =>
    spaces.filter((w) => file.startsWith(w.dir + path.sep)).sort((a, b) => b.dir.length - a.dir.length)[0];
  const seen = new Set<string>();
  const undeclared: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.[cm]?[jt]s$/.test(file)) continue; // data files (.proto) are needed, not parsed
    const text = read(file);
    for (const re of SPECIFIERS) {
      for (const m of text.matchAll(re)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) {
          queue.push(path.resolve(path.dirname(file), spec));
          continue;
        }
        if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        const from = owner(file);
        if (from === undefined || (from.name !== pkg && !from.dependencies.has(pkg))) undeclared.push(`${path.relative(ROOT, file)} imports ${pkg}`);
        const ws = byName.get(pkg);
        if (ws?.entry !== undefined && spec === pkg) queue.push(ws.entry);
      }
    }
  }
  return { files: [...seen].map((f) => path.relative(ROOT, f)).sort(), undeclared };
}

describe('Dockerfile', () => {
  const entrypoint = jsonForm(inRuntime('ENTRYPOINT')[0]!.rest);
  const script = entrypoint.at(-1)!;

  it('runs the tessera command with the Node flags it is tested with', () => {
    expect(entrypoint[0]).toBe('node');
    expect(entrypoint.slice(1, -1)).toEqual([...TESSERA_NODE_FLAGS]);
    expect(fs.existsSync(path.join(ROOT, script)), script).toBe(true);
    // The default arguments are valid Tessera flags.
    const cmd = jsonForm(inRuntime('CMD')[0]!.rest);
    expect(opt(loadProcess('Dockerfile CMD', cmd, new Map(), {}), 'data.dir')).toBe('/data');
  });

  it('copies paths that exist and that .dockerignore lets into the build context', () => {
    const copies = dockerfile.filter((i) => i.op === 'COPY').map((i) => copyParts(i.rest)).filter((c) => c.from === undefined);
    expect(copies.length).toBeGreaterThan(0);
    for (const src of copies.flatMap((c) => c.sources)) {
      const rel = src.replace(/\/$/, '');
      expect(fs.existsSync(path.join(ROOT, rel)), `COPY ${src}`).toBe(true);
      expect(ignored(rel), `COPY ${src} is excluded by .dockerignore`).toBe(false);
    }
  });

  it('holds every file the runtime loads, and installs every package it imports', () => {
    const graph = runtimeGraph(path.join(ROOT, script));
    expect(graph.files.length).toBeGreaterThan(20); // the walk did follow the imports
    // Worker scripts are loaded by URL, not imported: the walk must find them too.
    expect(graph.files).toContain('services/querier/src/query-worker.ts');
    const copied = new Set(inRuntime('COPY').map((i) => copyParts(i.rest)).filter((c) => c.from === undefined).flatMap((c) => c.sources.map((s) => s.replace(/\/$/, ''))));
    // Built in a stage of the image (the console), not taken from the build context.
    const built = new Set(inRuntime('COPY').map((i) => copyParts(i.rest)).filter((c) => c.from !== undefined && c.from !== 'deps').map((c) => c.dest.replace(/\/$/, '')));
    const missing = graph.files.filter((f) => ![...copied].some((c) => f === c || f.startsWith(c + '/')) || (ignored(f) && !built.has(f)));
    expect(missing, 'files the runtime loads that the image lacks').toEqual([]);
    expect(graph.undeclared, 'imports missing from the workspace\'s "dependencies"').toEqual([]);
    // Production dependencies are installed for the workspace that owns the entry point.
    const ownerName = workspaces().find((w) => path.join(ROOT, script).startsWith(w.dir + path.sep))!.name;
    const install = dockerfile.find((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.rest))!.rest;
    expect(install).toContain('--omit=dev');
    expect(install).toContain(`--workspace=${ownerName}`);
    expect(inRuntime('COPY').some((i) => /--from=\S+\s+\S*node_modules\/?\s/.test(i.rest))).toBe(true);
  });

  it('builds the web console in a stage of its own and copies it to where the querier serves it', () => {
    // The folder the console's server code serves (found by the walk above: new URL('../../dist')).
    const dist = runtimeGraph(path.join(ROOT, entrypoint.at(-1)!)).files.find((f) => f.startsWith('services/console/') && f.endsWith('/dist'));
    expect(dist).toBe('services/console/dist');
    const copy = inRuntime('COPY').map((i) => copyParts(i.rest)).find((c) => c.dest.replace(/\/$/, '') === dist);
    expect(copy?.from, `COPY --from=<stage> … ${dist}`).toBeDefined();
    const stage = dockerfile.filter((i) => i.stage === copy!.from);
    const workdir = stage.find((i) => i.op === 'WORKDIR')!.rest.trim();
    expect(copy!.sources.map((x) => x.replace(/\/$/, ''))).toEqual([path.posix.join(workdir, dist!)]);
    // The console's own build (Vite, devDependencies included: no --omit=dev) over its sources and
    // the base tsconfig they extend.
    const consolePkg = JSON.parse(read(path.join(ROOT, 'services/console/package.json'))) as { name: string; scripts: Record<string, string> };
    const runs = stage.filter((i) => i.op === 'RUN').map((i) => i.rest);
    const install = runs.find((r) => /\bnpm ci\b/.test(r));
    expect(install).toContain(`--workspace=${consolePkg.name}`);
    expect(install).not.toContain('--omit=dev');
    expect(runs.some((r) => r.includes(`npm run build --workspace=${consolePkg.name}`))).toBe(true);
    expect(consolePkg.scripts['build']).toMatch(/\bvite build\b/);
    const sources = stage.filter((i) => i.op === 'COPY').map((i) => copyParts(i.rest)).filter((c) => c.from === undefined).flatMap((c) => c.sources);
    expect(sources).toContain('services/console/');
    expect(sources).toContain('tsconfig.base.json');
    // A local build (git-ignored) never goes into the image.
    expect(ignored(dist!)).toBe(true);
  });

  it('runs as a fixed non-root user and checks readiness on the port it exposes', () => {
    expect(imageUser).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(imagePort).toBe(httpPort(loadProcess('defaults', [], new Map(), {})));
    const healthcheck = inRuntime('HEALTHCHECK')[0]!.rest;
    const url = inRuntime('ENV').map((i) => /TESSERA_READY_URL=(\S+)/.exec(i.rest)?.[1]).find((u) => u !== undefined)!;
    expect(healthcheck).toContain('process.env.TESSERA_READY_URL');
    expect(urlParts(url)).toEqual({ host: '127.0.0.1', port: imagePort, path: '/ready' });
  });
});

// ---------------------------------------------------------------------------------------------
// Compose

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { source?: string; target: string })[];
  ports?: (string | number | { target: number })[];
  expose?: (string | number)[];
  depends_on?: string[] | Record<string, unknown>;
  healthcheck?: unknown;
}

/** Compose's own `${VAR:-default}` interpolation, with no variable set (the defaults apply). */
const interpolate = (s: string): string => s.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}/g, (all, _name: string | undefined, def: string | undefined) => (all === '$$' ? '$' : (def ?? '')));

const listOf = (v: string[] | string | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : v.split(/\s+/)).map(interpolate);

function composeEnv(s: ComposeService): Record<string, string> {
  const env = s.environment ?? {};
  const pairs = Array.isArray(env) ? env.map((e) => e.split('=', 2) as [string, string]) : Object.entries(env).map(([k, v]) => [k, String(v ?? '')] as [string, string]);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v ?? '')]));
}

/** Mounts as `{ source, target }`; a bind mount's source is resolved against the compose folder. */
function mounts(s: ComposeService): { source: string; target: string; bind: boolean }[] {
  return (s.volumes ?? []).map((v) => {
    const [source = '', target = ''] = typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target];
    const bind = /^[./]/.test(source);
    return { source: bind ? path.resolve(COMPOSE_DIR, source) : source, target, bind };
  });
}

/** The ports a service listens on inside its container (`expose` and the container side of `ports`). */
function containerPorts(s: ComposeService): number[] {
  const ports = (s.ports ?? []).map((p) => (typeof p === 'object' ? p.target : Number(String(p).split(':').at(-1)!.split('/')[0])));
  return [...ports, ...(s.expose ?? []).map(Number)];
}

/** The ports of the host a service publishes (the host side of `ports`). */
function hostPorts(s: ComposeService): number[] {
  return (s.ports ?? []).flatMap((p) => {
    if (typeof p === 'object') return [];
    const parts = String(p).split('/')[0]!.split(':');
    return parts.length >= 2 ? [Number(parts.at(-2))] : [];
  });
}

/** Names of the services `s` waits for until they ran to completion. */
const completedDeps = (s: ComposeService): string[] =>
  Array.isArray(s.depends_on) ? [] : Object.entries(s.depends_on ?? {}).filter(([, c]) => (c as { condition?: string }).condition === 'service_completed_successfully').map(([d]) => d);

/** The contents of the file a service mounts at `target` (bind mounts, including folders). */
function mountedFile(s: ComposeService, target: string): string {
  for (const m of mounts(s)) {
    if (!m.bind) continue;
    if (m.target === target) return read(m.source);
    if (target.startsWith(m.target + '/')) return read(path.join(m.source, target.slice(m.target.length + 1)));
  }
  throw new Error(`nothing mounted at ${target}`);
}

describe('compose', () => {
  const compose = yamlFile<{ services: Record<string, ComposeService>; volumes?: Record<string, unknown> }>(path.join(COMPOSE_DIR, 'compose.yaml'));
  const services = compose.services;
  const builder = Object.values(services).find((s) => s.build?.dockerfile === 'deploy/Dockerfile')!;
  const tessera = new Map<string, TesseraProcess>();
  const problems: string[] = [];
  for (const [name, s] of Object.entries(services)) {
    if (s.image !== builder.image) continue;
    const files = new Map(mounts(s).filter((m) => m.bind && fs.existsSync(m.source) && fs.statSync(m.source).isFile()).map((m) => [m.target, read(m.source)]));
    try {
      tessera.set(name, loadProcess(`compose service ${name}`, listOf(s.command), files, composeEnv(s)));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const byTarget = (t: string): string[] => [...tessera].filter(([, p]) => target(p) === t).map(([n]) => n);
  const prometheus = Object.entries(services).find(([, s]) => s.image?.startsWith('prom/prometheus'))!;
  const grafana = Object.entries(services).find(([, s]) => s.image?.startsWith('grafana/grafana'))!;

  it('gives every Tessera service flags and a tessera.yaml that Tessera accepts', () => {
    expect(problems).toEqual([]);
    expect(tessera.size).toBeGreaterThan(0);
  });

  it('shares one ring and one internal token across the Tessera services', () => {
    expect(clusterProblems([...tessera.values()])).toEqual([]);
  });

  it('builds the image from the repository with deploy/Dockerfile', () => {
    expect(path.resolve(COMPOSE_DIR, builder.build!.context!)).toBe(path.resolve(ROOT));
    expect(fs.existsSync(path.join(ROOT, builder.build!.dockerfile!))).toBe(true);
  });

  it('runs Redis, MinIO, 1 distributor, 3 ingesters with their own ids and volumes, 1 querier, 1 compactor with a volume, a ruler, 1 alertmanager', () => {
    expect(new Set([...tessera.values()].map(target))).toEqual(CLUSTER_TARGETS);
    expect(byTarget('distributor')).toHaveLength(1);
    expect(byTarget('querier')).toHaveLength(1);
    // One per bucket: two compactors would compact the same blocks; two alertmanagers notify twice.
    expect(byTarget('compactor')).toHaveLength(1);
    expect(byTarget('alertmanager')).toHaveLength(1);
    expect(byTarget('ruler').length).toBeGreaterThanOrEqual(1);
    const [compactor] = byTarget('compactor');
    const work = mounts(services[compactor!]!).find((m) => m.target === opt(tessera.get(compactor!)!, 'data.dir'));
    expect(work !== undefined && !work.bind && work.source in (compose.volumes ?? {}), 'compactor: a named volume at -data.dir').toBe(true);
    // The console is served by the querier at `/`: its port is published.
    for (const q of byTarget('querier')) expect(hostPorts(services[q]!).length, q).toBeGreaterThan(0);
    const ingesters = byTarget('ingester');
    expect(ingesters).toHaveLength(3);
    expect(new Set(ingesters.map((n) => opt(tessera.get(n)!, 'ingester.id'))).size).toBe(3);
    const dataVolumes = ingesters.map((n) => mounts(services[n]!).find((m) => m.target === opt(tessera.get(n)!, 'data.dir')));
    for (const v of dataVolumes) expect(v !== undefined && !v.bind && v.source in (compose.volumes ?? {}), 'a named volume at -data.dir').toBe(true);
    expect(new Set(dataVolumes.map((v) => v?.source)).size).toBe(3);
    expect(Object.values(services).some((s) => s.image?.startsWith('redis'))).toBe(true);
    expect(Object.values(services).some((s) => s.image?.startsWith('minio/minio'))).toBe(true);
    for (const p of tessera.values()) expect(Number(opt(p, 'ring.replication-factor'))).toBeLessThanOrEqual(ingesters.length);
  });

  it('publishes each Tessera service on the port it listens on, which the image health check probes', () => {
    for (const [name, p] of tessera) {
      const ports = containerPorts(services[name]!);
      expect(ports.length, name).toBeGreaterThan(0);
      for (const port of ports) expect(port, name).toBe(httpPort(p));
      if (services[name]!.healthcheck === undefined) expect(httpPort(p), `${name} relies on the image's health check`).toBe(imagePort);
    }
  });

  it('points every address at a service that listens there', () => {
    const listens = (host: string, port: number): boolean => {
      // localhost: a port published on the host (a URL handed out to browsers, not containers).
      if (host === 'localhost') return Object.values(services).some((s) => hostPorts(s).includes(port));
      const s = services[host];
      return s !== undefined && (tessera.has(host) ? httpPort(tessera.get(host)!) === port : containerPorts(s).includes(port));
    };
    for (const [name, p] of tessera) {
      expect(opt(p, 'ring.store'), name).toBe('redis');
      const redis = hostPort(String(opt(p, 'ring.redis.address')));
      expect(listens(redis.host, redis.port), `${name}: -ring.redis.address ${redis.host}:${redis.port}`).toBe(true);
      expect(services[redis.host]!.image).toMatch(/^redis:/);
      if (target(p) === 'ingester') expect(hostPort(String(opt(p, 'ingester.ring.instance-addr'))), name).toEqual({ host: name, port: httpPort(p) });
    }
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {})) expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
      const text = [...listOf(s.command), ...listOf(s.entrypoint), ...Object.values(composeEnv(s))].join(' ');
      for (const m of text.matchAll(/https?:\/\/([\w.-]+):(\d+)/g)) expect(listens(m[1]!, Number(m[2])), `${name}: ${m[0]}`).toBe(true);
    }
  });

  it('keeps blocks, rule groups and Alertmanager configurations in the MinIO bucket that minio-init creates before Tessera starts', () => {
    const users = [...tessera].filter(([, p]) => BUCKET_TARGETS.has(target(p)));
    expect(new Set(users.map(([, p]) => target(p)))).toEqual(BUCKET_TARGETS);
    for (const [name, p] of users) {
      const used = bucketOf(p);
      const store = services[used.host];
      expect(store?.image, `${name}: -blocks-storage.s3.endpoint ${used.host}`).toMatch(/^minio\/minio:/);
      expect(containerPorts(store!), `${name}: -blocks-storage.s3.endpoint port`).toContain(used.port);
      // MinIO's root credentials.
      const minioEnv = composeEnv(store!);
      expect({ user: used.user, password: used.password }, name).toEqual({ user: minioEnv['MINIO_ROOT_USER'], password: minioEnv['MINIO_ROOT_PASSWORD'] });
      // A service this one waits for creates the bucket (with the same credentials, on that server).
      const created = completedDeps(services[name]!).flatMap((d) => mcBuckets(listOf(services[d]!.command).join(' '), composeEnv(services[d]!)));
      expect(created, `${name}: no service it waits for creates ${used.bucket}`).toContainEqual(used);
    }
    for (const init of new Set([...tessera.keys()].flatMap((n) => completedDeps(services[n]!)))) {
      const deps = services[init]!.depends_on as Record<string, { condition?: string }>;
      const server = mcBuckets(listOf(services[init]!.command).join(' '), composeEnv(services[init]!))[0]!;
      expect(deps[server.host]?.condition, `${init} waits until ${server.host} is healthy`).toBe('service_healthy');
      expect(services[server.host]!.healthcheck, server.host).toBeDefined();
    }
  });

  it('runs each ruler in the ruler ring under its own id and address, sending alerts to the alertmanager', () => {
    const rulers = byTarget('ruler');
    expect(new Set(rulers.map((n) => opt(tessera.get(n)!, 'ruler.ring.instance-id'))).size).toBe(rulers.length);
    for (const name of rulers) {
      const p = tessera.get(name)!;
      expect(hostPort(String(opt(p, 'ruler.ring.instance-addr'))), name).toEqual({ host: name, port: httpPort(p) });
      const urls = alertmanagerUrls(p);
      expect(urls.length, `${name}: -ruler.alertmanager-url`).toBeGreaterThan(0);
      for (const u of urls) {
        expect(tessera.has(u.host) && target(tessera.get(u.host)!), `${name}: -ruler.alertmanager-url ${u.host}`).toBe('alertmanager');
        expect(u, name).toEqual({ host: u.host, port: httpPort(tessera.get(u.host)!), path: ALERTS_API });
      }
    }
  });

  it('has Prometheus scrape every Tessera service and remote-write to the distributor as a tenant', () => {
    const [name, service] = prometheus;
    const cfg = parseYaml(mountedFile(service, '/etc/prometheus/prometheus.yml')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
      remote_write: { url: string; headers?: Record<string, string> }[];
    };
    const targets = cfg.scrape_configs.flatMap((sc) => sc.static_configs.flatMap((c) => c.targets)).map(hostPort);
    for (const t of targets) {
      if (t.host === 'localhost') expect(containerPorts(service), `${name} scrapes itself`).toContain(t.port);
      else expect(httpPort(tessera.get(t.host)!), `scrape target ${t.host}:${t.port}`).toBe(t.port);
    }
    expect(new Set(targets.map((t) => t.host))).toEqual(new Set(['localhost', ...tessera.keys()]));
    expect(cfg.remote_write).toHaveLength(1);
    const rw = urlParts(cfg.remote_write[0]!.url);
    expect(target(tessera.get(rw.host)!)).toBe('distributor');
    expect(rw).toEqual({ host: rw.host, port: httpPort(tessera.get(rw.host)!), path: '/api/v1/push' });
    expect(cfg.remote_write[0]!.headers?.[TENANT_HEADER]).toBeTruthy();
  });

  it('provisions Grafana with the querier\'s Prometheus API, reading the tenant Prometheus writes', () => {
    const [, service] = grafana;
    const dir = '/etc/grafana/provisioning/datasources';
    const mount = mounts(service).find((m) => m.bind && dir.startsWith(m.target))!;
    const folder = path.join(mount.source, path.relative(mount.target, dir));
    const sources = fs.readdirSync(folder).flatMap((f) => (parseYaml(read(path.join(folder, f))) as { datasources: GrafanaDatasource[] }).datasources);
    const ds = sources.find((d) => d.type === 'prometheus')!;
    const u = urlParts(ds.url);
    const querier = tessera.get(u.host)!;
    expect(target(querier)).toBe('querier');
    expect(u).toEqual({ host: u.host, port: httpPort(querier), path: opt(querier, 'http.prometheus-http-prefix') });
    expect(ds.jsonData?.httpHeaderName1).toBe(TENANT_HEADER);
    const prom = parseYaml(mountedFile(prometheus[1], '/etc/prometheus/prometheus.yml')) as { remote_write: { headers: Record<string, string> }[] };
    expect(ds.secureJsonData?.httpHeaderValue1).toBe(prom.remote_write[0]!.headers[TENANT_HEADER]);
  });
});

interface GrafanaDatasource {
  type: string;
  url: string;
  jsonData?: Record<string, string>;
  secureJsonData?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes (kustomize base)

type Labels = Record<string, string>;
type PortRef = number | string;
interface Probe {
  httpGet?: { path?: string; port: PortRef };
  tcpSocket?: { port: PortRef };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface AffinityTerm {
  topologyKey: string;
  labelSelector?: { matchLabels?: Labels };
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: object; secret?: { secretName: string } }[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  terminationGracePeriodSeconds?: number;
  affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[] } };
}
interface K8sObject {
  kind: string;
  metadata: { name: string; labels?: Labels };
  spec: {
    replicas?: number;
    strategy?: { type?: string };
    serviceName?: string;
    selector?: { matchLabels?: Labels } & Labels;
    template?: { metadata: { labels: Labels }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string } }[];
    clusterIP?: string;
    ports?: { name?: string; port: number; targetPort?: PortRef }[];
    maxUnavailable?: PortRef;
  };
}
interface Kustomization {
  resources: string[];
  configMapGenerator?: { name: string; files?: string[] }[];
  secretGenerator?: { name: string; literals?: string[]; files?: string[] }[];
  images?: { name: string }[];
}

const subset = (sel: Labels | undefined, labels: Labels): boolean => sel !== undefined && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
const POD_IP = '10.1.2.3';

/** The container port a probe or Service names, by name or number, among `containers`. */
function resolvePort(ref: PortRef | undefined, containers: readonly Container[]): number | undefined {
  const ports = containers.flatMap((c) => c.ports ?? []);
  return typeof ref === 'number' ? ports.find((p) => p.containerPort === ref)?.containerPort : ports.find((p) => p.name === ref)?.containerPort;
}

describe('kubernetes base', () => {
  const kustomization = yamlFile<Kustomization>(path.join(K8S_DIR, 'kustomization.yaml'));
  const objects = kustomization.resources.flatMap((r) =>
    parseAllDocuments(read(path.join(K8S_DIR, r))).map((d) => {
      if (d.errors.length > 0) throw new Error(`${r}: ${d.errors[0]!.message}`);
      return d.toJS() as K8sObject;
    }),
  );
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  const k8sServices = new Map(objects.filter((o) => o.kind === 'Service').map((o) => [o.metadata.name, o]));
  // A generator's `files` entry is `path` or `key=path`; the key defaults to the file's name.
  const generatedFile = (entry: string): [string, string] => {
    const [key = '', file = key] = entry.split('=');
    return [path.basename(key), read(path.join(K8S_DIR, file))];
  };
  const configMaps = new Map((kustomization.configMapGenerator ?? []).map((g) => [g.name, new Map((g.files ?? []).map(generatedFile))]));
  const secretKeys = new Map((kustomization.secretGenerator ?? []).map((g) => [g.name, [...(g.literals ?? []), ...(g.files ?? [])].map((e) => path.basename(e.split('=')[0]!))]));
  const tesseraImage = kustomization.images?.find((i) => i.name === 'tessera')?.name ?? 'tessera';

  /**
   * A container's environment as the kubelet would set it: the pod's name and IP, and a stand-in
   * value per Secret key (the same for every container reading that key). Missing Secrets and keys
   * go to `problems`.
   */
  const containerEnv = (w: K8sObject, c: Container, problems: string[]): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      const field = e.valueFrom?.fieldRef?.fieldPath;
      const secret = e.valueFrom?.secretKeyRef;
      if (secret !== undefined && !(secretKeys.get(secret.name) ?? []).includes(secret.key)) problems.push(`${w.kind} ${w.metadata.name}: no Secret ${secret.name} with key ${secret.key} is generated`);
      env[e.name] = e.value ?? (field === 'metadata.name' ? `${w.metadata.name}-0` : field === 'status.podIP' ? POD_IP : secret !== undefined ? `secret-${secret.name}-${secret.key}` : '');
    }
    return env;
  };

  /** Each Tessera container with its workload, pod and the configuration it would load. */
  const problems: string[] = [];
  const tessera = workloads.flatMap((w) => {
    const pod = w.spec.template!.spec;
    return pod.containers.filter((c) => c.image === tesseraImage).flatMap((c) => {
      const where = `${w.kind} ${w.metadata.name}`;
      const env = containerEnv(w, c, problems);
      const files = new Map<string, string>();
      for (const m of c.volumeMounts ?? []) {
        const cm = pod.volumes?.find((v) => v.name === m.name)?.configMap;
        if (cm === undefined) continue;
        if (!configMaps.has(cm.name)) problems.push(`${where}: no ConfigMap ${cm.name} is generated`);
        for (const [key, text] of configMaps.get(cm.name) ?? []) files.set(`${m.mountPath}/${key}`, text);
      }
      // The kubelet expands $(VAR) in args from the container's env.
      const args = (c.args ?? []).map((a) => a.replace(/\$\((\w+)\)/g, (all, v: string) => env[v] ?? all));
      try {
        return [{ w, pod, c, p: loadProcess(where, args, files, env) }];
      } catch (e) {
        problems.push((e as Error).message);
        return [];
      }
    });
  });
  const ofTarget = (t: string): typeof tessera => tessera.filter((x) => target(x.p) === t);

  it('gives every Tessera container flags, a tessera.yaml and an environment that Tessera accepts', () => {
    expect(problems).toEqual([]);
  });

  it('shares one ring and one internal token across the Tessera pods', () => {
    expect(clusterProblems(tessera.map((x) => x.p))).toEqual([]);
  });

  it('runs distributors and queriers as Deployments and ingesters as a StatefulSet with volumes', () => {
    expect(ofTarget('distributor').map((x) => x.w.kind)).toEqual(['Deployment']);
    expect(ofTarget('querier').map((x) => x.w.kind)).toEqual(['Deployment']);
    const [ingester, ...more] = ofTarget('ingester');
    expect(ingester?.w.kind).toBe('StatefulSet');
    expect(more).toEqual([]);
    const { w, c, p } = ingester!;
    expect(w.spec.replicas ?? 1).toBeGreaterThanOrEqual(Number(opt(p, 'ring.replication-factor')));
    const dataMount = c.volumeMounts?.find((m) => m.mountPath === opt(p, 'data.dir'));
    expect(w.spec.volumeClaimTemplates?.map((t) => t.metadata.name)).toContain(dataMount?.name);
    // Stable ring ids: the pod name, the same after a restart.
    expect(opt(p, 'ingester.id')).toBe(`${w.metadata.name}-0`);
  });

  it('spreads ingesters over nodes and lets only one be disrupted at a time', () => {
    const { w } = ofTarget('ingester')[0]!;
    const labels = w.spec.template!.metadata.labels;
    const terms = w.spec.template!.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    expect(terms.some((t) => t.topologyKey === 'kubernetes.io/hostname' && subset(t.labelSelector?.matchLabels, labels))).toBe(true);
    const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget' && subset(o.spec.selector?.matchLabels, labels));
    expect(pdbs.map((o) => o.spec.maxUnavailable)).toEqual([1]);
    const headless = k8sServices.get(w.spec.serviceName ?? '');
    expect(headless?.spec.clusterIP).toBe('None');
    expect(subset(headless?.spec.selector, labels)).toBe(true);
    expect(w.spec.template!.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
  });

  it('runs every Tessera pod non-root, with requests, a writable -data.dir and readiness on /ready at the HTTP port', () => {
    expect(tessera.length).toBeGreaterThanOrEqual(3);
    for (const { w, pod, c, p } of tessera) {
      const where = `${w.kind} ${w.metadata.name}`;
      expect(subset(w.spec.selector?.matchLabels, w.spec.template!.metadata.labels), `${where}: selector`).toBe(true);
      expect(pod.securityContext?.runAsNonRoot, where).toBe(true);
      expect(String(pod.securityContext?.runAsUser), where).toBe(imageUser.split(':')[0]);
      expect(c.resources?.requests, where).toBeDefined();
      expect(c.volumeMounts?.some((m) => m.mountPath === opt(p, 'data.dir')), `${where}: volume at -data.dir`).toBe(true);
      expect((c.ports ?? []).map((x) => x.containerPort), where).toEqual([httpPort(p)]);
      expect(c.readinessProbe?.httpGet?.path, where).toBe('/ready');
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
        const ref = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (probe !== undefined) expect(resolvePort(ref, [c]), `${where}: probe port ${ref}`).toBe(httpPort(p));
      }
      if (target(p) === 'ingester') expect(hostPort(String(opt(p, 'ingester.ring.instance-addr'))), where).toEqual({ host: POD_IP, port: httpPort(p) });
    }
  });

  it('has every Service select pods that listen on its target ports', () => {
    for (const s of k8sServices.values()) {
      const pods = workloads.filter((w) => subset(s.spec.selector, w.spec.template!.metadata.labels)).map((w) => w.spec.template!.spec);
      expect(pods.length, `Service ${s.metadata.name} selects no pods`).toBeGreaterThan(0);
      for (const port of s.spec.ports ?? []) {
        const containers = pods.flatMap((pod) => pod.containers);
        expect(resolvePort(port.targetPort ?? port.port, containers), `Service ${s.metadata.name} port ${port.port}`).toBeDefined();
      }
    }
    for (const { w, p } of tessera) {
      const own = [...k8sServices.values()].filter((s) => subset(s.spec.selector, w.spec.template!.metadata.labels));
      expect(own.length, `${w.metadata.name} has a Service`).toBeGreaterThan(0);
      for (const s of own) for (const port of s.spec.ports ?? []) expect(resolvePort(port.targetPort ?? port.port, w.spec.template!.spec.containers)).toBe(httpPort(p));
    }
  });

  /** The workloads whose pods a Service named by `host` (`name` or `name.namespace...`) selects. */
  const behind = (host: string): K8sObject[] => {
    const svc = k8sServices.get(host.split('.')[0]!);
    return svc === undefined ? [] : workloads.filter((w) => subset(svc.spec.selector, w.spec.template!.metadata.labels));
  };

  it('runs one compactor as a StatefulSet with a volume, two rulers in the ruler ring, one alertmanager never doubled', () => {
    expect(new Set(tessera.map((x) => target(x.p)))).toEqual(CLUSTER_TARGETS);
    // A StatefulSet of one: an update stops the old pod before the new one starts.
    const compactors = ofTarget('compactor');
    expect(compactors.map((x) => [x.w.kind, x.w.spec.replicas])).toEqual([['StatefulSet', 1]]);
    const { w, c, p } = compactors[0]!;
    const work = c.volumeMounts?.find((m) => m.mountPath === opt(p, 'data.dir'));
    expect(w.spec.volumeClaimTemplates?.map((t) => t.metadata.name)).toContain(work?.name);
    // One alertmanager, also during an update.
    const ams = ofTarget('alertmanager');
    expect(ams.map((x) => x.w.spec.replicas)).toEqual([1]);
    expect(ams[0]!.w.kind === 'StatefulSet' || ams[0]!.w.spec.strategy?.type === 'Recreate', 'alertmanager: StatefulSet or Recreate').toBe(true);
    const rulers = ofTarget('ruler');
    expect(rulers.map((x) => [x.w.kind, x.w.spec.replicas])).toEqual([['Deployment', 2]]);
    for (const { w, p } of rulers) {
      // Each pod under its own name, reachable at its IP (peers ask one another for their groups).
      expect(opt(p, 'ruler.ring.instance-id')).toBe(`${w.metadata.name}-0`);
      expect(hostPort(String(opt(p, 'ruler.ring.instance-addr')))).toEqual({ host: POD_IP, port: httpPort(p) });
      const urls = alertmanagerUrls(p);
      expect(urls.length, '-ruler.alertmanager-url').toBeGreaterThan(0);
      for (const u of urls) {
        const pods = behind(u.host);
        const am = ams.filter((x) => pods.includes(x.w));
        expect(am.length > 0 && am.length === pods.length, `-ruler.alertmanager-url: Service ${u.host} selects the alertmanager alone`).toBe(true);
        const svcPort = k8sServices.get(u.host.split('.')[0]!)!.spec.ports!.find((x) => x.port === u.port);
        expect(resolvePort(svcPort?.targetPort ?? svcPort?.port, am[0]!.pod.containers), `Service ${u.host} port ${u.port}`).toBe(httpPort(am[0]!.p));
        expect(u.path).toBe(ALERTS_API);
      }
    }
  });

  it('keeps blocks, rule groups and Alertmanager configurations in the MinIO bucket that a Job creates', () => {
    const users = tessera.filter((x) => BUCKET_TARGETS.has(target(x.p)));
    expect(new Set(users.map((x) => target(x.p)))).toEqual(BUCKET_TARGETS);
    const envProblems: string[] = [];
    const jobs = objects.filter((o) => o.kind === 'Job');
    const created = jobs.flatMap((j) => j.spec.template!.spec.containers.flatMap((c) => mcBuckets([...(c.command ?? []), ...(c.args ?? [])].join(' '), containerEnv(j, c, envProblems))));
    for (const { w, p } of users) {
      const used = bucketOf(p);
      const pods = behind(used.host);
      const minio = pods.flatMap((x) => x.spec.template!.spec.containers.map((c) => ({ x, c }))).filter(({ c }) => /^minio\/minio:/.test(c.image ?? ''));
      expect(minio.length, `${w.metadata.name}: -blocks-storage.s3.endpoint ${used.host} is a MinIO Service`).toBe(1);
      const svcPort = k8sServices.get(used.host)!.spec.ports!.find((x) => x.port === used.port);
      expect(resolvePort(svcPort?.targetPort ?? svcPort?.port, [minio[0]!.c]), `${w.metadata.name}: MinIO port ${used.port}`).toBeDefined();
      // MinIO's root credentials, from the same Secret keys.
      const minioEnv = containerEnv(minio[0]!.x, minio[0]!.c, envProblems);
      expect({ user: used.user, password: used.password }, w.metadata.name).toEqual({ user: minioEnv['MINIO_ROOT_USER'], password: minioEnv['MINIO_ROOT_PASSWORD'] });
      expect(used.user, `${w.metadata.name}: S3 credentials in its environment`).not.toBe('');
      expect(created, `${w.metadata.name}: no Job creates ${used.bucket} on ${used.host}:${used.port}`).toContainEqual(used);
    }
    expect(envProblems).toEqual([]);
  });

  it('points -ring.redis.address at the Redis Service', () => {
    for (const { w, p } of tessera) {
      expect(opt(p, 'ring.store')).toBe('redis');
      const { host, port } = hostPort(String(opt(p, 'ring.redis.address')));
      const s = k8sServices.get(host.split('.')[0]!);
      expect(s, `${w.metadata.name}: Service ${host}`).toBeDefined();
      expect(s!.spec.ports?.map((x) => x.port), `${w.metadata.name}: ${host}:${port}`).toContain(port);
      const pods = workloads.filter((x) => subset(s!.spec.selector, x.spec.template!.metadata.labels));
      expect(pods.flatMap((x) => x.spec.template!.spec.containers.map((c) => c.image ?? ''))).toEqual([expect.stringMatching(/^redis:/)]);
    }
  });
});

describe('deploy/prometheus.yml (single process)', () => {
  it('writes to a local `npm start` as a tenant', () => {
    const cfg = yamlFile<{ remote_write: { url: string; headers?: Record<string, string> }[] }>(path.join(ROOT, 'deploy/prometheus.yml'));
    const defaults = loadProcess('defaults', [], new Map(), {});
    expect(urlParts(cfg.remote_write[0]!.url)).toEqual({ host: 'localhost', port: httpPort(defaults), path: '/api/v1/push' });
    expect(cfg.remote_write[0]!.headers?.[TENANT_HEADER]).toBeTruthy();
  });
});
