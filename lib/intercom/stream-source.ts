/**
 * A stream declaration (lib/streams) read as Intercom API calls: how to list it, how to make each
 * listed item the record the lake keeps (detail request, nested lists), how to find what changed,
 * and how many records the API says it holds.
 */
import { SourceError } from '../errors';
import type { Logger } from '../logger';
import { recordKeyOf } from '../records/record-id';
import type { PartitionedListing, SearchQuery, StreamDeclaration } from '../streams/types';
import type { IntercomClient, SearchSort } from './client';
import { DAY_S, concatConcurrent, planPartitions, rangeQuery, type DayRange } from './partitions';
import type { IntercomRecord } from './types';

/** A listed item after its work: its id, and the record to write (undefined: it vanished). */
export interface StreamItem {
  id: string;
  record?: unknown;
}

/**
 * Every item of the stream's source, each id once (see the client's list, search and scroll).
 * A per-model source lists each model in turn (`GET /data_attributes?model=contact`, then `company`).
 * A stream with `partitions` is listed through them (see {@link listPartitioned}), or through its
 * source when the search is not usable.
 */
export async function* listStream(
  client: IntercomClient,
  stream: StreamDeclaration,
  log?: Logger,
): AsyncGenerator<IntercomRecord> {
  if (stream.partitions) {
    const plan = await planListing(client, stream.partitions, log);
    if (plan) {
      log?.info({ stream: stream.name, partitions: plan.length }, 'listing through search partitions');
      yield* listPartitioned(client, stream.partitions, plan, stream.pageSize);
      return;
    }
    log?.warn({ stream: stream.name }, 'search not usable; listing one page at a time');
  }
  yield* listSource(client, stream);
}

/**
 * The day ranges to list, or undefined when the search is not usable: Intercom refuses it
 * (400/403/404, e.g. a token without search or an API version without it), its pages carry no
 * `total_count`, or the first and last records (by the field) carry no numeric field.
 * @throws TransientError when the search keeps failing (the listing would fail the same way).
 */
export async function planListing(
  client: IntercomClient,
  partitions: PartitionedListing,
  log?: Logger,
): Promise<DayRange[] | undefined> {
  const { path, itemsKey } = partitions.search;
  const field = partitions.field;
  const all = rangeQuery(field, { lo: null, hi: null });
  let first: Awaited<ReturnType<IntercomClient['searchPage']>>;
  let last: typeof first;
  try {
    [first, last] = await Promise.all([
      client.searchPage(path, itemsKey, all, { perPage: 1, sort: { field, order: 'ascending' } }),
      client.searchPage(path, itemsKey, all, { perPage: 1, sort: { field, order: 'descending' } }),
    ]);
  } catch (error) {
    if (error instanceof SourceError) {
      log?.warn({ path, status: error.status ?? null, problem: error.message }, 'search refused');
      return undefined;
    }
    throw error;
  }
  if (first.total === undefined) return undefined;
  const dayOf = (items: IntercomRecord[]): number | undefined => {
    const value = (items[0] as Record<string, unknown> | undefined)?.[field];
    return typeof value === 'number' && Number.isFinite(value) ? Math.floor(value / DAY_S) : undefined;
  };
  const firstDay = dayOf(first.items);
  const lastDay = dayOf(last.items);
  if (first.total > 0 && (firstDay === undefined || lastDay === undefined)) return undefined;
  const span = firstDay === undefined || lastDay === undefined ? undefined : { firstDay, lastDay };
  return planPartitions({
    span,
    bound: partitions.bound,
    total: first.total,
    count: async (range) =>
      (await client.searchPage(path, itemsKey, rangeQuery(field, range), { perPage: 1 })).total ?? 0,
  });
}

/**
 * Every record of the ranges in `plan`, each range sorted by the field (ascending), ranges in day
 * order: the whole stream sorted by the field whatever the cuts, so a plan made again (a resumed
 * run, counts that changed) gives the same sequence. `window` ranges are listed at once.
 */
export function listPartitioned(
  client: IntercomClient,
  partitions: PartitionedListing,
  plan: readonly DayRange[],
  pageSize: number,
): AsyncGenerator<IntercomRecord> {
  const { path, itemsKey } = partitions.search;
  const sort = { field: partitions.field, order: 'ascending' as const };
  return concatConcurrent(
    plan.map(
      (range) => () =>
        client.searchRecords(path, itemsKey, rangeQuery(partitions.field, range), pageSize, sort),
    ),
    { window: partitions.window, bufferLimit: partitions.bound * 2 },
  );
}

/**
 * The items of the stream's own source, never its search ranges: what a deletion sweep lists, since
 * search may not have indexed a record yet while the list holds it.
 */
export async function* listSource(
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
