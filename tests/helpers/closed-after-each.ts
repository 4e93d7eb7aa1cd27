import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FolderStore } from '../../lib/lake/folder-store';
import { createTestDatabase, type TestDatabase } from './database';

/** Anything a test opens and must close: a server, a client, a temp folder, a database. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * What a test opens through the returned functions is closed after it, last opened first: a folder
 * lake (removed), a test database (dropped), or anything `opened` is handed.
 * Call at the top level of a test file (it registers an `afterEach`).
 */
export function closedAfterEach(folderPrefix: string): {
  opened: <T extends Closable>(item: T) => T;
  folder: () => Promise<FolderStore>;
  database: () => Promise<TestDatabase>;
} {
  const items: Closable[] = [];
  afterEach(async () => {
    for (const item of items.splice(0).reverse()) await item.close();
  });
  const opened = <T extends Closable>(item: T): T => {
    items.push(item);
    return item;
  };
  return {
    opened,
    async folder() {
      const dir = await mkdtemp(path.join(tmpdir(), folderPrefix));
      opened({ close: () => rm(dir, { recursive: true, force: true }) });
      return new FolderStore(dir);
    },
    async database() {
      const db = await createTestDatabase();
      opened({ close: () => db.drop() });
      return db;
    },
  };
}
