import type { RowDataPacket } from 'mysql2/promise';
import { DataError } from '../errors';
import { isStreamName, perStream, STREAMS, type StreamName } from '../streams/registry';
import type { LoadManifest } from './lake-input';
import { quoteId } from './rows';
import { LOAD_TABLES, type LoadTable, type TargetNames } from './tables';

/** What a set of load tables holds. */
export interface TableCounts {
  /** Rows per table. */
  rows: Record<LoadTable, number>;
  /** Quarantine rows per stream. */
  quarantined: Record<StreamName, number>;
  /**
   * Per stream that declares child rows (`children.rows`): the sum of its main table's count
   * column (`conversation.parts_count`), the child rows the loaded records hold.
   */
  childrenDeclared: Partial<Record<StreamName, number>>;
}

/** A child table's rows against what its records declare. */
export type ChildCounts = Partial<Record<StreamName, { rows: number; declared: number }>>;

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
  const quarantined = perStream(() => 0);
  for (const row of byStream) {
    const stream = String(row.stream);
    if (isStreamName(stream)) quarantined[stream] = Number(row.n);
  }
  const childrenDeclared: Partial<Record<StreamName, number>> = {};
  for (const stream of STREAMS) {
    const childRows = stream.children?.rows;
    if (!childRows) continue;
    const [declared] = await db.query<RowDataPacket[]>(
      `SELECT COALESCE(SUM(${quoteId(childRows.countColumn)}), 0) AS n FROM ${quoteId(names[stream.tables[0]])}`,
    );
    childrenDeclared[stream.name] = Number(declared[0]?.n ?? 0);
  }
  return { rows, quarantined, childrenDeclared };
}

/** Per stream with child rows: the rows its child table holds and what its records declare. */
export function childCountsOf(counts: TableCounts): ChildCounts {
  const out: ChildCounts = {};
  for (const stream of STREAMS) {
    const childRows = stream.children?.rows;
    if (!childRows) continue;
    out[stream.name] = {
      rows: counts.rows[childRows.table],
      declared: counts.childrenDeclared[stream.name] ?? 0,
    };
  }
  return out;
}

/** Records loaded and quarantined per stream. */
export type StreamTotals = Record<StreamName, { loaded: number; quarantined: number }>;

/** The totals a full refresh's fresh tables hold, per stream: its main table's rows are the loaded records. */
export function totalsOf(counts: TableCounts): StreamTotals {
  return perStream((stream) => ({
    loaded: counts.rows[stream.tables[0]],
    quarantined: counts.quarantined[stream.name],
  }));
}

/**
 * Check that every record of the lake is accounted for: per stream, loaded + quarantined equals
 * the manifest's count; and each child table holds exactly the rows its records declare (the
 * part rows are the parts the conversations hold).
 *
 * @throws DataError listing each mismatch; `after` says what state the warehouse was left in.
 */
export function reconcile(
  manifest: LoadManifest,
  totals: StreamTotals,
  children: ChildCounts | undefined,
  after: string,
): void {
  const problems: string[] = [];
  for (const { name } of STREAMS) {
    const { loaded, quarantined } = totals[name];
    const expected = manifest.streams[name].count;
    if (loaded + quarantined !== expected) {
      problems.push(
        `${name}: ${loaded} loaded + ${quarantined} quarantined = ${loaded + quarantined}, but the manifest counts ${expected}`,
      );
    }
  }
  for (const stream of STREAMS) {
    const child = children?.[stream.name];
    const declared = stream.children;
    if (!child || !declared?.rows || child.rows === child.declared) continue;
    problems.push(
      `${declared.rows.table} holds ${child.rows} rows, but the ${stream.label} hold ${child.declared} ${declared.label}`,
    );
  }
  if (problems.length > 0) {
    throw new DataError(
      `The load does not reconcile with the lake manifest${manifest.runId ? ` of run ${manifest.runId}` : ''}: ${problems.join('; ')}. ${after} Check that data/ and data/manifest.json come from one finished extract (re-run npm run extract), then load again.`,
      { location: 'data/manifest.json' },
    );
  }
}
