import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketContract } from './bucket-contract.ts';
import { FilesystemBucket } from './filesystem-bucket.ts';
import { TEMP_MARKER } from './names.ts';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'objstore-fs-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function names(b: FilesystemBucket, dir: string, recursive = false): Promise<string[]> {
  const out: string[] = [];
  await b.iter(dir, (n) => void out.push(n), { recursive });
  return out;
}

describe('FilesystemBucket: bucket contract', () => {
  bucketContract({ newBucket: async () => new FilesystemBucket(await freshDir()), partSize: 5 * 1024 * 1024 });
});

describe('FilesystemBucket', () => {
  it('keeps objects as files at the path their name spells', async () => {
    const dir = await freshDir();
    const b = new FilesystemBucket(dir);
    await b.upload('tenant/01ABC/meta.json', new TextEncoder().encode('{}'));
    expect(await readdir(join(dir, 'tenant', '01ABC'))).toEqual(['meta.json']);
  });

  it('ignores a temporary file left by a crash between write and rename', async () => {
    const dir = await freshDir();
    const b = new FilesystemBucket(dir);
    await mkdir(join(dir, 'tenant', '01ABC'), { recursive: true });
    await writeFile(join(dir, 'tenant', '01ABC', `meta.json${TEMP_MARKER}00112233aabbccdd`), '{"partial":');
    expect(await b.exists('tenant/01ABC/meta.json')).toBe(false);
    await expect(b.get('tenant/01ABC/meta.json')).rejects.toMatchObject({ code: 'object-not-found' });
    expect(await names(b, '')).toEqual([]); // no object anywhere below tenant/: no "directory"
    expect(await names(b, 'tenant/01ABC')).toEqual([]);
    expect(await names(b, '', true)).toEqual([]);
    await b.upload('tenant/01ABC/meta.json', new TextEncoder().encode('{}'));
    expect(await names(b, '', true)).toEqual(['tenant/01ABC/meta.json']);
    expect(await names(b, 'tenant')).toEqual(['tenant/01ABC/']);
  });

  // A real crash: a child process is killed (SIGKILL) while its upload is half written.
  it.each([
    ['no previous object', undefined],
    ['a previous object', 'previous version'],
  ])('a process killed mid-upload leaves %s visible', async (_label, previous) => {
    const dir = await freshDir();
    const b = new FilesystemBucket(dir);
    if (previous !== undefined) await b.upload('t/obj', new TextEncoder().encode(previous));
    const module = fileURLToPath(new URL('./filesystem-bucket.ts', import.meta.url));
    const script = `
      import { FilesystemBucket } from ${JSON.stringify(module)};
      const b = new FilesystemBucket(${JSON.stringify(dir)});
      await b.upload('t/obj', (async function* () {
        yield new Uint8Array(1 << 20).fill(120);
        process.stdout.write('written\\n');
        setInterval(() => {}, 1000); // keep the process alive: it is killed here
        await new Promise(() => {});
      })());
    `;
    const child = spawn(process.execPath, ['--input-type=module', '--disable-warning=ExperimentalWarning', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('written')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    // The child stopped mid-write; let the first chunk reach the file, then kill it.
    for (let i = 0; i < 100 && !(await readdir(join(dir, 't'))).some((f) => f.includes(TEMP_MARKER)); i++) await new Promise((r) => setTimeout(r, 10));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
      child.once('exit', (_code, sig) => resolve(sig));
      child.kill('SIGKILL');
    });
    expect(signal).toBe('SIGKILL');
    const files = await readdir(join(dir, 't'));
    expect(files.some((f) => f.includes(TEMP_MARKER))).toBe(true); // the crash really was mid-upload
    const reopened = new FilesystemBucket(dir);
    if (previous === undefined) {
      expect(await reopened.exists('t/obj')).toBe(false);
      expect(await names(reopened, '', true)).toEqual([]);
    } else {
      expect(new TextDecoder().decode(await reopened.get('t/obj'))).toBe(previous);
      expect(await names(reopened, '', true)).toEqual(['t/obj']);
    }
  });

  it('removes the temporary file of a failed upload and the directories a delete empties', async () => {
    const dir = await freshDir();
    const b = new FilesystemBucket(dir);
    await expect(
      b.upload(
        'x/y/z',
        (async function* () {
          yield new Uint8Array(10);
          throw new Error('boom');
        })(),
      ),
    ).rejects.toMatchObject({ code: 'object-store-error' });
    expect(await readdir(join(dir, 'x', 'y'))).toEqual([]);
    await b.upload('x/y/z', new Uint8Array(1));
    await b.upload('x/keep', new Uint8Array(1));
    await b.delete('x/y/z');
    expect(await readdir(dir)).toEqual(['x']);
    expect(await readdir(join(dir, 'x'))).toEqual(['keep']);
    await b.delete('x/keep');
    expect(await readdir(dir)).toEqual([]);
  });

  it('never reaches outside its directory', async () => {
    const parent = await freshDir();
    const b = new FilesystemBucket(join(parent, 'bucket'));
    await expect(b.upload('../escape', new Uint8Array(1))).rejects.toMatchObject({ code: 'invalid-object-name' });
    await expect(b.upload('a/../../escape', new Uint8Array(1))).rejects.toMatchObject({ code: 'invalid-object-name' });
    expect(await readdir(parent)).toEqual([]);
  });
});
