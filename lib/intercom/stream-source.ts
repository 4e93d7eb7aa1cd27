/**
 * A stream declaration (lib/streams) read as Intercom API calls: how to list it, how to make each
 * listed item the record the lake keeps (detail request, nested lists), how to find what changed,
 * and how many records the API says it holds.
 */
import { SourceError } from '../errors';
import { recordKeyOf } from '../records/record-id';
import type { SearchQuery, StreamDeclaration } from '../streams/types';
import type { IntercomClient, SearchSort } from './client';
import type { IntercomRecord } from './types';

/** A listed item after its work: its id, and the record to write (undefined: it vanished). */
export interface StreamItem {
  id: string;
  record?: unknown;
}

/**
 * Every item of the stream's source, each id once (see the client's list, search and scroll).
 * A per-model source lists each model in turn (`GET /data_attributes?model=contact`, then `company`).
 */
export async function* listStream(
  client: IntercomClient,
  stream: StreamDeclaration,
): AsyncGenerator<IntercomRecord> {
  const source = stream.source;
  switch (source.kind) {
    case 'list':
      yield* client.listRecords(withQuery(source.path, source.query), source.itemsKey, {
        paged: source.paged,
        pageSize: stream.pageSize,
      });
      return;
    case 'search':
      yield* client.searchRecords(source.path, source.itemsKey, source.query, stream.pageSize);
      return;
    case 'scroll':
      yield* client.scrollRecords(source.path, source.itemsKey);
      return;
    case 'per-model':
      for (const model of source.models) {
        const path = `${source.path}?${source.param}=${encodeURIComponent(model)}`;
        yield* client.listRecords(path, source.itemsKey, { paged: false });
      }
      return;
  }
}

/** `path` with the fixed parameters of a list (`/segments?include_count=true`). */
function withQuery(path: string, query: Readonly<Record<string, string>> | undefined): string {
  const params = new URLSearchParams(query).toString();
  return params === '' ? path : `${path}?${params}`;
}

/**
 * The records of the stream that match `query` on its incremental search (`POST /contacts/search`),
 * in `sort` order when given.
 * @throws Error when the stream declares no incremental search (a bug in the caller).
 */
export function searchStream(
  client: IntercomClient,
  stream: StreamDeclaration,
  query: SearchQuery,
  sort?: SearchSort,
): AsyncGenerator<IntercomRecord> {
  if (!stream.incremental) throw new Error(`stream ${stream.name} declares no incremental search`);
  const { path, itemsKey } = stream.incremental.search;
  return client.searchRecords(path, itemsKey, query, stream.pageSize, sort);
}

/**
 * The record the lake keeps for one listed item: the item fetched again by its detail request when
 * the stream has one (a 404 there is a record that vanished: no record, only its id), then its
 * nested lists completed. An item without a usable id is kept whole as listed rather than dropped;
 * the load quarantines it with its reason.
 * @throws SourceError / TransientError from the requests.
 */
export async function fetchStreamItem(
  client: IntercomClient,
  stream: StreamDeclaration,
  item: IntercomRecord,
): Promise<StreamItem> {
  const id = recordKeyOf(item, stream.primaryKey);
  let record: IntercomRecord = item;
  if (stream.detail && (stream.detail.when?.(item) ?? true)) {
    if (id === undefined || id.trim() === '') return { id: id ?? '', record: item };
    try {
      record = await client.getRecord(stream.detail.path, id, stream.singular);
    } catch (error) {
      // Deleted between the list and the detail request: nothing left to copy, but say so.
      if (error instanceof SourceError && error.status === 404 && stream.detail.notFound === 'vanished') {
        return { id };
      }
      throw error;
    }
  }
  if (stream.nested) record = await client.completeNested(record, stream.nested, stream.singular);
  return { id: id ?? '', record };
}

/** Where the API says how many records a stream holds: a paged `list` source's `total_count`. */
export function countPath(stream: StreamDeclaration): string | undefined {
  return stream.source.kind === 'list' && stream.source.paged ? stream.source.path : undefined;
}

/**
 * Whether a deletion sweep can list the stream's ids page by page: a paged list (contacts,
 * conversations) or a search that matches every record (tickets, which have no list endpoint;
 * their search pages carry whole tickets, 150 a call, the same number of calls as a list).
 */
export function sweepable(stream: StreamDeclaration): boolean {
  return countPath(stream) !== undefined || stream.source.kind === 'search';
}

/** How many records the API says the stream holds now, or undefined when it gives no count. */
export async function countStream(
  client: IntercomClient,
  stream: StreamDeclaration,
): Promise<number | undefined> {
  const path = countPath(stream);
  return path === undefined ? undefined : client.countRecords(path);
}
