import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FolderStore } from '../lake/folder-store';
import type { LakeStore } from '../lake/store';

/**
 * The lake's files as local paths DuckDB can read, and local results put back into a lake. A
 * folder lake is read in place; an S3 lake's objects are streamed to `workDir` first (DuckDB's
 * httpfs is not available, see docs/ATHENA.md), so the task needs ephemeral storage for its inputs.
 */
export class LakeFiles {
  private readonly downloads: string;

  constructor(
    readonly store: LakeStore,
    workDir: string,
  ) {
    this.downloads = path.join(workDir, 'lake');
  }

  /** Where the lake is, for logs. */
  get url(): string {
    return this.store.url;
  }

  /** Every key under `prefix` whose name passes `keep`, sorted. */
  async keys(prefix: string, keep: (key: string) => boolean = () => true): Promise<string[]> {
    return (await this.store.list(prefix)).filter(keep);
  }

  /** A local path holding the object at `key`, or undefined when the lake has no such object. */
  async localFile(key: string): Promise<string | undefined> {
    if (!(await this.store.exists(key))) return undefined;
    if (this.store instanceof FolderStore) return path.join(this.store.url, key);
    const target = path.join(this.downloads, key);
    await mkdir(path.dirname(target), { recursive: true });
    await pipeline(await this.store.get(key), createWriteStream(target));
    return target;
  }

  /** Local paths of every object under `prefix` whose key passes `keep`, in key order. */
  async localFiles(prefix: string, keep?: (key: string) => boolean): Promise<string[]> {
    const paths: string[] = [];
    for (const key of await this.keys(prefix, keep)) {
      const local = await this.localFile(key);
      if (local) paths.push(local);
    }
    return paths;
  }

  /**
   * Make `prefix` in the lake hold exactly the files under local `folder` (same relative paths):
   * each file is uploaded, then keys under `prefix` the new output does not have are removed, so
   * a reader sees the old or the new file at each key, never a half-written one.
   * @returns the keys written.
   */
  async publishFolder(folder: string, prefix: string): Promise<string[]> {
    const files = await listFiles(folder);
    const written: string[] = [];
    for (const relative of files) {
      const key = `${prefix}${relative.split(path.sep).join('/')}`;
      await this.store.put(key, createReadStream(path.join(folder, relative)));
      written.push(key);
    }
    const keep = new Set(written);
    for (const key of await this.store.list(prefix)) {
      if (!keep.has(key)) await this.store.delete(key);
    }
    return written;
  }

  /** Put one local file at `key`. */
  async publishFile(file: string, key: string): Promise<void> {
    await this.store.put(key, createReadStream(file));
  }
}

/** Relative paths of every file under `folder` (recursively), sorted; none when it does not exist. */
export async function listFiles(folder: string): Promise<string[]> {
  try {
    await access(folder);
  } catch {
    return [];
  }
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}
