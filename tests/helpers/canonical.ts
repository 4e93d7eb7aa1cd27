import { createHash } from 'node:crypto';
import { readJsonArray } from '../../lib/lake/json-array-reader';
import { DATA_PREFIX, dataKey, type StreamName } from '../../lib/lake/keys';
import type { LakeStore } from '../../lib/lake/store';
import { recordKeyOf } from '../../lib/records/record-id';
import { STREAMS } from '../../lib/streams/registry';

/** The canonical content of one lake stream: what a run copied, independent of record order. */
export interface CanonicalStream {
  /** Number of records in the file. */
  count: number;
  /** Ids that appear more than once (a correct run has none). */
  duplicateIds: string[];
  /** Hex sha256 over the records sorted by id, each in key-sorted JSON. */
  sha256: string;
}

/** The canonical content of every stream under `data/`. */
export type CanonicalLake = Record<StreamName, CanonicalStream>;

/**
 * Read `data/users.json` and `data/conversations.json` with the lake's own reader, sort the records
 * by id and hash them, so that two runs that copied the same records compare equal whatever order
 * their concurrent requests finished in. Keys are sorted inside each record for the same reason.
 *
 * @throws DataError when a file is missing or is not a JSON array (from the store and the reader).
 */
export async function canonicalLake(store: LakeStore): Promise<CanonicalLake> {
  const out = {} as CanonicalLake;
  for (const { name, primaryKey } of STREAMS) {
    out[name] = await canonicalStream(store, dataKey(name), primaryKey);
  }
  return out;
}

/** {@link canonicalLake} for one key; records are identified by `primaryKey` (default `id`). */
export async function canonicalStream(
  store: LakeStore,
  key: string,
  primaryKey: string | readonly string[] = 'id',
): Promise<CanonicalStream> {
  // One digest per record keeps memory at one record plus a short string per id.
  const digests: [string, string][] = [];
  for await (const record of readJsonArray(await store.get(key), { key })) {
    const id = recordKeyOf(record, primaryKey) ?? '';
    digests.push([id, createHash('sha256').update(stableJson(record)).digest('hex')]);
  }
  digests.sort(([a, da], [b, db]) => (a < b ? -1 : a > b ? 1 : da < db ? -1 : da > db ? 1 : 0));
  const hash = createHash('sha256');
  const duplicateIds = new Set<string>();
  digests.forEach(([id, digest], n) => {
    if (n > 0 && digests[n - 1]?.[0] === id) duplicateIds.add(id);
    hash.update(`${id}\t${digest}\n`);
  });
  return { count: digests.length, duplicateIds: [...duplicateIds], sha256: hash.digest('hex') };
}

/** Every object under `data/` with the sha256 of its bytes, to prove a failed run left it as it was. */
export async function snapshotData(store: LakeStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await store.list(DATA_PREFIX)) {
    const hash = createHash('sha256');
    for await (const chunk of await store.get(key)) hash.update(chunk as Buffer);
    out[key] = hash.digest('hex');
  }
  return out;
}

/** JSON with the keys of every object sorted, so equal values give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
