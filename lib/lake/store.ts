import type { Readable } from 'node:stream';
import { DataError } from '../errors';

/** What `put` reports about the object it wrote. */
export interface PutResult {
  /** Bytes written. */
  bytes: number;
  /** Hex sha256 of the bytes written. */
  sha256: string;
}

/** A body for `put`: a Node stream or any async iterable of chunks. */
export type Body = Readable | AsyncIterable<Uint8Array | string>;

/**
 * The lake as an object store. Two backends: a folder (`./lake`) and S3 (`s3://bucket/prefix`).
 * Keys are relative (`data/users.json`) and come from `lib/lake/keys.ts` only.
 */
export interface LakeStore {
  /** Where the lake is, for messages and summaries (never holds credentials). */
  readonly url: string;
  /** Stream `body` to `key`; readers see the whole object or none of it, never a part. */
  put(key: string, body: Body): Promise<PutResult>;
  /**
   * A stream of the object's bytes.
   * @throws DataError when the key does not exist: {@link missingKeyError}.
   */
  get(key: string): Promise<Readable>;
  /** Whether `key` exists. */
  exists(key: string): Promise<boolean>;
  /** Copy `from` to `to` inside the lake; `to` is replaced whole. */
  copy(from: string, to: string): Promise<void>;
  /** Every key under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * Write `text` to `key` only when no object is there yet, atomically: of two callers at once,
   * exactly one gets true. Used for the extract's lease (lib/lake/lease.ts).
   */
  putIfAbsent(key: string, text: string): Promise<boolean>;
  /** Remove `key`; no error when it is already gone. */
  delete(key: string): Promise<void>;
}

/** The error every backend throws for a key that does not exist: it names the key and says to run the extract. */
export function missingKeyError(lakeUrl: string, key: string, cause: unknown): DataError {
  return new DataError(
    `Lake file "${key}" was not found in ${lakeUrl}. Run the extract (npm run extract) first, or check LAKE_URL.`,
    { cause, location: key },
  );
}
