import { perStream, type StreamName } from '../../lib/streams/registry';
import { WAREHOUSE_TABLES, type WarehouseTable } from '../../lib/streams/types';
import { queryDatabase } from './database';
import { writeFixtureLake, type FixtureLake, type FixtureLakeContent } from './fixture-lake';

/** The tables a migrated warehouse holds, sorted: what the migrations must create, nothing more. */
export const MIGRATED_TABLES = [
  '__drizzle_migrations',
  'admin',
  'company',
  'contact_company',
  'contact_tag',
  'conversation',
  'conversation_contact',
  'conversation_part',
  'conversation_tag',
  'data_attribute',
  'quarantine',
  'segment',
  'sync_state',
  'tag',
  'team',
  'team_admin',
  'ticket',
  'ticket_part',
  'users',
  'webhook_event',
];

/**
 * Every table's rows but sync_state's (and the list of tables) of the database at `url`, to compare a warehouse
 * before and after a load; `liveOnly` leaves the full refresh's `__new` twins out.
 */
export async function snapshotWarehouse(url: string, options: { liveOnly?: boolean } = {}): Promise<unknown> {
  const tables = (await queryDatabase(url, 'SHOW TABLES'))
    .map((r) => String(Object.values(r)[0]))
    .filter((name) => !options.liveOnly || !name.endsWith('__new'))
    .sort();
  const out: Record<string, unknown> = { tables };
  for (const table of tables) {
    // sync_state says which run loaded the rows and when, not what they are: two loads of equal
    // content from different runs give equal snapshots. Tests of sync_state query it themselves.
    if (table.startsWith('__') || table.startsWith('sync_state')) continue;
    out[table] = await queryDatabase(url, `SELECT * FROM \`${table}\` ORDER BY 1, 2`);
  }
  return out;
}

/**
 * A `lake(content)` that writes a fixture lake and removes every lake it wrote after each test
 * (call it inside a `describe`).
 */
export function useFixtureLakes(): (content: FixtureLakeContent) => Promise<FixtureLake> {
  const lakes: FixtureLake[] = [];
  afterEach(async () => {
    await Promise.all(lakes.splice(0).map((l) => l.remove()));
  });
  return async (content) => {
    const made = await writeFixtureLake(content);
    lakes.push(made);
    return made;
  };
}

/**
 * Rows per stream table as a load's summary gives them: `counts`, and 0 for every table not named
 * (the streams a test's lake leaves empty).
 */
export function tableRows(counts: Partial<Record<WarehouseTable, number>>): Record<WarehouseTable, number> {
  return {
    ...(Object.fromEntries(WAREHOUSE_TABLES.map((t) => [t, 0])) as Record<WarehouseTable, number>),
    ...counts,
  };
}

/** A figure per stream as a load summary gives them: `counts`, and 0 for every other stream. */
export function perStreamCounts(counts: Partial<Record<StreamName, number>>): Record<StreamName, number> {
  return { ...perStream(() => 0), ...counts };
}
