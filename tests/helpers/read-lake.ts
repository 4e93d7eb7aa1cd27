import { readJsonArray } from '../../lib/lake/json-array-reader';
import type { LakeStore } from '../../lib/lake/store';

type Json = Record<string, unknown>;

/** Every record of a lake JSON array file, by id; fails the test when an id appears twice. */
export async function readRecordsById(store: LakeStore, key: string): Promise<Map<string, Json>> {
  const out = new Map<string, Json>();
  for await (const item of readJsonArray(await store.get(key), { key })) {
    const record = item as Json;
    const id = String(record.id);
    if (out.has(id)) throw new Error(`id ${id} appears twice in ${key}`);
    out.set(id, record);
  }
  return out;
}
