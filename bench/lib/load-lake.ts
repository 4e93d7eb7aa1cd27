import { FolderStore } from '../../lib/lake/folder-store';
import { newRunId } from '../../lib/lake/keys';
import { readLatestManifest } from '../../lib/lake/publish';
import { NESTED_LISTS } from '../../lib/intercom/complete-nested';
import { createWorkspace, type Contact, type Workspace } from '../../sandbox/workspace';
import { publishWrittenRun, writeRunFiles } from '../../tests/helpers/fixture-lake';

/** Seed of the workspace the memory benches of both tasks read, so one lake can serve both. */
export const MEMORY_SEED = 5;

/** A published lake written for a bench, and what it holds. */
export interface BenchLake {
  store: FolderStore;
  contacts: number;
  conversations: number;
  parts: number;
  /** Bytes of the two data files. */
  bytes: number;
}

/**
 * Contact `i` as the extract stores it: each nested list that says `has_more` filled from the
 * workspace's sub-endpoint items, as lib/intercom/complete-nested.ts fills it over HTTP.
 */
function storedContact(ws: Workspace, i: number): Contact {
  const contact = ws.contactAt(i);
  for (const key of NESTED_LISTS) {
    const nested = contact[key];
    if (nested.has_more !== true) continue;
    const data =
      key === 'tags'
        ? ws.contactTags(contact.id)
        : key === 'companies'
          ? ws.contactCompanies(contact.id)
          : ws.contactNotes(contact.id);
    Object.assign(contact, { [key]: { ...nested, data, has_more: false, total_count: data.length } });
  }
  return contact;
}

/**
 * Write the sandbox workspace's records straight into a published lake in `folder`, as the extract
 * would (run files, manifest, copy to `data/`), without the HTTP round trips: byte for byte the data
 * files the extract writes from a sandbox of the same seed and size (tests/unit/bench-load-lake.test.ts),
 * in a fraction of the time. `contacts` or `conversations` may be 0.
 */
export async function writeBenchLake(
  folder: string,
  size: { contacts: number; conversations: number; seed?: number },
): Promise<BenchLake> {
  const ws = createWorkspace({
    seed: size.seed ?? 7,
    contacts: size.contacts,
    conversations: size.conversations,
    includeQuirks: false,
  });
  const store = new FolderStore(folder);
  const runId = newRunId();
  let parts = 0;
  function* contacts(): Generator<unknown> {
    for (let i = 0; i < ws.contactCount; i++) yield storedContact(ws, i);
  }
  function* conversations(): Generator<unknown> {
    for (let j = 0; j < ws.conversationCount; j++) {
      const c = ws.conversationAt(j);
      parts += c.conversation_parts.conversation_parts.length;
      yield c;
    }
  }
  const streams = await writeRunFiles(store, runId, { users: contacts(), conversations: conversations() });
  await publishWrittenRun(store, runId, { streams, parts, apiUrl: 'sandbox' });
  return {
    store,
    contacts: streams.users.count,
    conversations: streams.conversations.count,
    parts,
    bytes: streams.users.bytes + streams.conversations.bytes,
  };
}

/**
 * What the published lake in `folder` holds, from its manifest: for a lake another bench wrote (the
 * extract memory bench's), read instead of written again.
 *
 * @throws Error when `folder` holds no published run.
 */
export async function readBenchLake(folder: string): Promise<BenchLake> {
  const store = new FolderStore(folder);
  const manifest = await readLatestManifest(store);
  const { users, conversations } = manifest.streams;
  return {
    store,
    contacts: users.count,
    conversations: conversations.count,
    parts: manifest.parts,
    bytes: users.bytes + conversations.bytes,
  };
}
