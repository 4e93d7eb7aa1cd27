import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Run `fn` in a fresh folder of the system's temp folder (`<prefix>XXXXXX`), deleted when `fn`
 * ends, however it ends.
 */
export async function withTempFolder<T>(prefix: string, fn: (folder: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(path.join(tmpdir(), prefix));
  try {
    return await fn(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
