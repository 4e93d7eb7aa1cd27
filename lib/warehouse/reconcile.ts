import type { RowDataPacket } from 'mysql2/promise';
import { DataError } from '../errors';
import type { StreamName } from '../lake/keys';
import type { LoadManifest } from './lake-input';
import { quoteId } from './rows';
import { LOAD_TABLES, type LoadTable, type TargetNames } from './tables';

/** What a set of load tables holds. */
export interface TableCounts {
  /** Rows per table. */
  rows: Record<LoadTable, number>;
  /** Quarantine rows per stream. */
  quarantined: Record<StreamName, number>;
  /** Sum of `conversation.parts_count`: the parts the loaded conversations hold. */
  partsDeclared: number;
}

/** Something with `query`, such as a pool or a connection. */
interface Queryable {
  query<T extends RowDataPacket[]>(sql: string, values?: unknown): Promise<[T, unknown]>;
}

/** Count the rows of the tables named by `names` (live tables or their `__new` twins). */
export async function countTables(db: Queryable, names: TargetNames): Promise<TableCounts> {
  const rows = {} as Record<LoadTable, number>;
  for (const table of LOAD_TABLES) {
    const [result] = await db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteId(names[table])}`);
    rows[table] = Number(result[0]?.n ?? 0);
  }
  const [byStream] = await db.query<RowDataPacket[]>(
    `SELECT stream, COUNT(*) AS n FROM ${quoteId(names.quarantine)} GROUP BY stream`,
  );
  const quarantined: Record<StreamName, number> = { users: 0, conversations: 0 };
  for (const row of byStream) {
    if (row.stream === 'users' || row.stream === 'conversations')
      quarantined[row.stream as StreamName] = Number(row.n);
  }
  const [declared] = await db.query<RowDataPacket[]>(
    `SELECT COALESCE(SUM(parts_count), 0) AS n FROM ${quoteId(names.conversation)}`,
  );
  return { rows, quarantined, partsDeclared: Number(declared[0]?.n ?? 0) };
}

/** Records loaded and quarantined per stream. */
export type StreamTotals = Record<StreamName, { loaded: number; quarantined: number }>;

/** The totals a full refresh's fresh tables hold, per stream. */
export function totalsOf(counts: TableCounts): StreamTotals {
  return {
    users: { loaded: counts.rows.users, quarantined: counts.quarantined.users },
    conversations: { loaded: counts.rows.conversation, quarantined: counts.quarantined.conversations },
  };
}

/**
 * Check that every record of the lake is accounted for: per stream, loaded + quarantined equals
 * the manifest's count; and the part rows are exactly the parts the conversations hold.
 *
 * @throws DataError listing each mismatch; `after` says what state the warehouse was left in.
 */
export function reconcile(
  manifest: LoadManifest,
  totals: StreamTotals,
  parts: { rows: number; declared: number } | undefined,
  after: string,
): void {
  const problems: string[] = [];
  for (const stream of ['users', 'conversations'] as const) {
    const { loaded, quarantined } = totals[stream];
    const expected = manifest.streams[stream].count;
    if (loaded + quarantined !== expected) {
      problems.push(
        `${stream}: ${loaded} loaded + ${quarantined} quarantined = ${loaded + quarantined}, but the manifest counts ${expected}`,
      );
    }
  }
  if (parts && parts.rows !== parts.declared) {
    problems.push(
      `conversation_part holds ${parts.rows} rows, but the conversations hold ${parts.declared} parts`,
    );
  }
  if (problems.length > 0) {
    throw new DataError(
      `The load does not reconcile with the lake manifest${manifest.runId ? ` of run ${manifest.runId}` : ''}: ${problems.join('; ')}. ${after} Check that data/ and data/manifest.json come from one finished extract (re-run npm run extract), then load again.`,
      { location: 'data/manifest.json' },
    );
  }
}
