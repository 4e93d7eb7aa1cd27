import { rm } from 'node:fs/promises';

/** A workspace size: generated contacts and conversations. */
export interface WorkspaceSize {
  contacts: number;
  conversations: number;
}

const keyOf = (size: WorkspaceSize): string => `${size.contacts}x${size.conversations}`;

/**
 * Published lake folders that one bench wrote and a later bench of the same workspace size reads
 * instead of writing the same lake again (the extract memory bench hands its lakes to the load
 * memory bench). Whoever takes a lake owns it and deletes it; `clear` deletes what nobody took.
 */
export class LakeShelf {
  readonly #lakes = new Map<string, string>();

  /** Keep `folder` as the lake of `size`, deleting one kept before for that size. */
  async put(size: WorkspaceSize, folder: string): Promise<void> {
    const before = this.#lakes.get(keyOf(size));
    if (before !== undefined && before !== folder) await rm(before, { recursive: true, force: true });
    this.#lakes.set(keyOf(size), folder);
  }

  /** The lake kept for `size`, now the caller's to delete; undefined when none was kept. */
  take(size: WorkspaceSize): string | undefined {
    const folder = this.#lakes.get(keyOf(size));
    this.#lakes.delete(keyOf(size));
    return folder;
  }

  /** Delete every lake still kept. */
  async clear(): Promise<void> {
    const folders = [...this.#lakes.values()];
    this.#lakes.clear();
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  }
}
