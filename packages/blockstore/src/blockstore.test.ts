/** @tessera/blockstore on a FilesystemBucket. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemBucket } from '@tessera/objstore';
import { blockstoreContract } from './blockstore-contract.ts';

blockstoreContract('FilesystemBucket', async () => new FilesystemBucket(await mkdtemp(join(tmpdir(), 'blockstore-fs-'))));
