import type { LakeStore } from '../../lib/lake/store';

/** What a comparator extract is given: the API, a lake and how much of the workspace to copy. */
export interface BaselineOptions {
  baseUrl: string;
  token: string;
  store: LakeStore;
  runId: string;
  /** Copy the first this many contacts (list order), then stop. */
  contacts: number;
  /** Copy the first this many conversations (list order), then stop. */
  conversations: number;
}

/** What a comparator extract wrote. */
export interface BaselineResult {
  users: number;
  conversations: number;
  /** Calls that ended in an error after the client's own retries. */
  failures: number;
}

/** The first `limit` items of `source`; stops the source as soon as it has them. */
export async function* firstOf<T>(source: AsyncIterable<T>, limit: number): AsyncGenerator<T> {
  if (limit <= 0) return;
  let n = 0;
  for await (const item of source) {
    yield item;
    n += 1;
    if (n >= limit) return;
  }
}
