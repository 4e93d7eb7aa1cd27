import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHashingTap, toReadable } from './hashing-tap';
import { missingKeyError, type Body, type LakeStore, type PutResult } from './store';

/** Ending of the temporary files writes go through. */
const TMP_SUFFIX = '.tmp';

/**
 * A lake in a local folder. Writes go to a temporary file beside the target and are renamed into
 * place, so a reader never sees a half-written file (rename is atomic on one file system).
 */
export class FolderStore implements LakeStore {
  readonly url: string;
  private readonly root: string;

  constructor(folder: string) {
    this.root = path.resolve(folder);
    this.url = this.root;
  }

  private resolve(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new Error(`lake key "${key}" escapes the lake folder`);
    return full;
  }

  /** The file of `key` and a temporary name beside it, their folder created; `list` skips temporary files. */
  private async beside(key: string): Promise<{ target: string; tmp: string }> {
    const target = this.resolve(key);
    await mkdir(path.dirname(target), { recursive: true });
    return { target, tmp: `${target}.${randomBytes(6).toString('hex')}${TMP_SUFFIX}` };
  }

  async put(key: string, body: Body): Promise<PutResult> {
    const { target, tmp } = await this.beside(key);
    const hashing = createHashingTap();
    const tap = hashing.stream;
    const source = toReadable(body);
    try {
      await pipeline(source, tap, createWriteStream(tmp));
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    return hashing.result();
  }

  /** Written to a temporary file, then hard-linked into place: link(2) fails when the target exists. */
  async putIfAbsent(key: string, text: string): Promise<boolean> {
    const { target, tmp } = await this.beside(key);
    await writeFile(tmp, text);
    try {
      await link(tmp, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.resolve(key);
    try {
      await stat(file);
    } catch (error) {
      throw missingKeyError(this.url, key, error);
    }
    return createReadStream(file);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.resolve(key));
      return true;
    } catch {
      return false;
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const { target, tmp } = await this.beside(to);
    try {
      await copyFile(this.resolve(from), tmp);
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !(await this.exists(from))) {
        throw missingKeyError(this.url, from, error);
      }
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (!entry.name.endsWith(TMP_SUFFIX)) keys.push(path.relative(this.root, full).split(path.sep).join('/'));
      }
    };
    await walk(this.root);
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.resolve(key), { force: true });
  }
}
