import { escape } from 'mysql2';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelayMs } from '../backoff';
import { TransientError } from '../errors';
import type { Logger } from '../logger';
import { NETWORK_ERROR_CODES } from '../network-errors';
import { perStream, type StreamName } from '../streams/registry';
import { WAREHOUSE_TABLES, type WarehouseTable } from '../streams/types';
import { serverErrorOf } from './connection';
import { quoteId, toTuple, type SqlValue } from './rows';
import { LOAD_TABLES, SHAPES, type LoadTable, type TargetNames } from './tables';
import { LineBuffer, loadDataSql, parseTsvLine, tsvLine } from './tsv';
import { insertStatementParts } from './upsert-statement';

/** How a batch is written: plain INSERT into fresh tables, or INSERT … ON DUPLICATE KEY UPDATE. */
export type WriteMode = 'full' | 'upsert';

/** A row as the mappers give it: one value per key of the table's shape. */
export type Row = Record<string, SqlValue>;

/**
 * Every row one lake record gives; written whole or not at all. See record-unit.ts, which makes one
 * from a stream's declaration.
 */
export interface RecordUnit {
  stream: StreamName;
  /** The record's id, when it has one (for the quarantine). */
  recordId: string | null;
  /** The stream's main table: one row per record, holding the record in `raw`. */
  main: WarehouseTable;
  /**
   * In upsert mode, child tables whose rows with `column` = the main row's key are deleted before
   * the record's rows are written (a child deleted in Intercom must go from the warehouse too).
   */
  replace?: { tables: readonly WarehouseTable[]; column: string };
  /** Rows per table. */
  rows: Partial<Record<WarehouseTable, Row[]>>;
  /** The record as JSON text, for the quarantine should a row be too large for the server. */
  raw: string;
}

/** Settings of a `BatchWriter`. */
export interface BatchWriterOptions {
  pool: Pool;
  mode: WriteMode;
  tables: TargetNames;
  /** A batch is written once its rows reach this many bytes (as `LOAD DATA` lines). */
  batchBytes: number;
  /** The server's max_allowed_packet: no statement may reach it. */
  maxPacketBytes: number;
  /** Batches written at once, each on its own connection. */
  concurrency: number;
  /** `DATETIME` literal stamped on quarantine rows. */
  loadedAt: string;
  /** Tries of a batch that meets a deadlock or lock wait timeout (default 4). */
  lockAttempts?: number;
  /**
   * Write full-refresh batches with `LOAD DATA LOCAL INFILE` (default true). A batch the server
   * takes with any warning is rolled back and written again by INSERT (which refuses what LOAD
   * DATA would only warn about, so bad records are quarantined as before); a server that refuses
   * LOAD DATA LOCAL turns it off for the rest of the load. Upsert mode always uses INSERT.
   */
  loadData?: boolean;
  /** Where retries are logged (a warning each). */
  log?: Logger;
}

/** What a writer has committed so far, per stream. */
export interface WriterTally {
  loaded: Record<StreamName, number>;
  quarantined: Record<StreamName, number>;
}

/**
 * Error codes with which the server refuses a row because of its data (not the connection):
 * the batch is then retried record by record and each refused record is quarantined.
 */
const REFUSALS = new Set([
  'ER_DUP_ENTRY',
  'ER_DUP_ENTRY_WITH_KEY_NAME',
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_BAD_NULL_ERROR',
  'ER_CONSTRAINT_FAILED',
  'ER_CHECK_CONSTRAINT_VIOLATED',
  'ER_INVALID_JSON_TEXT',
  'ER_INVALID_CHARACTER_STRING',
  'ER_CANNOT_CONVERT_STRING',
  'ER_WRONG_VALUE',
  'ER_DATETIME_FUNCTION_OVERFLOW',
]);
/**
 * Lock conflicts (with another session, or between our own upsert batches): the server has rolled
 * the batch back (or the writer does), so writing it again is safe.
 */
const LOCK_CONFLICTS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const LOCK_ATTEMPTS = 4;
/**
 * Codes after which the connection is gone (killed, server restarted, network cut). The server rolls
 * back a transaction whose connection dies, so a batch that had not sent COMMIT is written again on
 * a fresh connection.
 */
const CONNECTION_LOST = new Set([
  ...NETWORK_ERROR_CODES,
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);
const CONNECTION_ATTEMPTS = 4;
/** Full-jitter base: waits of up to 200, 400, 800 ms, on average the ~100, 200, 400 ms it had before. */
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 2_000;
/** Room for `INSERT INTO … VALUES` and the ON DUPLICATE KEY clause in a packet. */
const STATEMENT_OVERHEAD_BYTES = 64 * 1024;
/** Bytes per packet of a `LOAD DATA LOCAL` batch (the server takes its packets one by one). */
const LOAD_DATA_CHUNK_BYTES = 256 * 1024;
/**
 * Errors with which a server refuses `LOAD DATA LOCAL` itself (local_infile off on the server, or
 * the client not offering it): ER_NOT_ALLOWED_COMMAND (MySQL 5.7, older MariaDB), MySQL 8's
 * ER_CLIENT_LOCAL_FILES_DISABLED and MariaDB 10.5+'s ER_LOAD_INFILE_CAPABILITY_DISABLED.
 */
const LOAD_DATA_REFUSED = new Set([1148, 3948, 4166]);

/** `LOAD DATA` took a batch with warnings (LOCAL turns data errors into warnings): it is written again by INSERT. */
class LoadDataWarnings extends Error {}

/** Whether the server refused `LOAD DATA LOCAL INFILE` as a statement (not for a row's data). */
function isLoadDataRefused(error: unknown): boolean {
  return LOAD_DATA_REFUSED.has(serverErrorOf(error)?.errno ?? -1);
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown }).code ?? '');
}

/**
 * MariaDB's `ER_CONSTRAINT_FAILED` (a CHECK such as a JSON column's `json_valid`) is errno 4025;
 * mysql2 names codes from MySQL's table, where 4025 is `ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE`.
 */
const MARIADB_CONSTRAINT_FAILED_ERRNO = 4025;

/** Whether the server refused `error`'s statement because of the data in it. */
function isRefusal(error: unknown): boolean {
  if (REFUSALS.has(codeOf(error))) return true;
  const { errno, sqlMessage } = error as { errno?: unknown; sqlMessage?: unknown };
  return errno === MARIADB_CONSTRAINT_FAILED_ERRNO && /^CONSTRAINT /.test(String(sqlMessage ?? ''));
}

/** Whether `error` (or the mysql2 error inside it) means the connection is gone. */
function isConnectionLost(error: unknown): boolean {
  const server = serverErrorOf(error);
  if (server && CONNECTION_LOST.has(server.code)) return true;
  // mysql2 refuses further queries on a connection that died with a message and no code.
  return /closed state|connection lost/i.test(server?.message ?? (error as Error | undefined)?.message ?? '');
}

function backoffMs(attempt: number): number {
  return backoffDelayMs(attempt, BACKOFF_BASE_MS, BACKOFF_CAP_MS);
}

/** A batch's statement failed: the server error, the table it was writing, and at which step. */
class BatchFailure extends Error {
  /** Tries made when the error is a lock conflict that outlasted its retries. */
  attempts = 1;

  constructor(
    override readonly cause: unknown,
    readonly table: LoadTable,
    readonly phase: 'write' | 'commit',
  ) {
    super(serverErrorOf(cause)?.message ?? String(cause), { cause });
  }

  /** The error the load reports: lock conflicts name the table and say what to do; others as they are. */
  toError(mode: WriteMode): unknown {
    const code = codeOf(this.cause);
    if (!LOCK_CONFLICTS.has(code)) return this.cause;
    const what = code === 'ER_LOCK_DEADLOCK' ? 'deadlocked with' : 'waited too long for locks held by';
    return new TransientError(
      `Writing table ${this.table} ${what} another session ${this.attempts} times in a row (${code}). ${
        mode === 'upsert'
          ? 'Another program is holding rows of the live tables: find it with SHOW ENGINE INNODB STATUS or information_schema.INNODB_TRX, let it finish or stop it, then run the load again'
          : 'Something else is writing to the load tables: make sure no other load or program uses them, then run the load again'
      }.`,
      { cause: this.cause },
    );
  }
}

/**
 * Bytes a string of this many UTF-16 units can at most take in a SQL tuple: 3 bytes of UTF-8 per
 * unit, doubled by escapes.
 */
const MAX_BYTES_PER_UNIT = 6;

/** Where one record's rows are in its batch's line buffers. */
interface Entry {
  stream: StreamName;
  recordId: string | null;
  /**
   * The record's main table and its row's key there, one value per key column (unset for a
   * quarantine row).
   */
  main?: WarehouseTable;
  mainKey?: string[];
  replace?: RecordUnit['replace'];
  /** A quarantine row (no natural key, counted as quarantined). */
  quarantine: boolean;
  /** Byte range and row count per table. */
  ranges: Partial<Record<LoadTable, { start: number; end: number; rows: number }>>;
}

type Lines = Record<LoadTable, LineBuffer>;

/** Records queued for one transaction: their rows as `LOAD DATA` lines, one buffer per table. */
class Batch {
  readonly entries: Entry[] = [];

  constructor(readonly lines: Lines) {}

  /** Bytes rendered so far, all tables. */
  get bytes(): number {
    let total = 0;
    for (const table of LOAD_TABLES) total += this.lines[table].length;
    return total;
  }

  /** Render one record's rows into the buffers; returns its entry (already queued). */
  add(meta: Omit<Entry, 'ranges'>, rows: Partial<Record<LoadTable, Row[]>>): Entry {
    const entry: Entry = { ...meta, ranges: {} };
    for (const table of LOAD_TABLES) {
      const list = rows[table];
      if (!list || list.length === 0) continue;
      const buffer = this.lines[table];
      const start = buffer.length;
      for (const row of list) buffer.append(tsvLine(SHAPES[table], row));
      entry.ranges[table] = { start, end: buffer.length, rows: list.length };
    }
    this.entries.push(entry);
    return entry;
  }

  /** The rows of `entries` in `table` as `LOAD DATA` bytes, and how many rows that is. */
  data(table: LoadTable, entries: Entry[]): { bytes: Buffer; rows: number } {
    const ranges = entries.flatMap((entry) => entry.ranges[table] ?? []);
    const rows = ranges.reduce((sum, range) => sum + range.rows, 0);
    // The whole batch (the usual case) is the buffer as it is; a part of it is copied out.
    if (entries.length === this.entries.length) return { bytes: this.lines[table].bytes(), rows };
    return { bytes: Buffer.concat(ranges.map((r) => this.lines[table].bytes(r.start, r.end))), rows };
  }

  /** The rows of `entries` in `table` as SQL tuples `('a',NULL,…)`, values escaped by mysql2. */
  tuples(table: LoadTable, entries: Entry[]): string[] {
    const out: string[] = [];
    for (const entry of entries) {
      const range = entry.ranges[table];
      if (!range) continue;
      for (const line of this.lines[table].lines(range.start, range.end)) {
        const values = parseTsvLine(line).map((value) => (value === null ? 'NULL' : escape(value)));
        out.push(`(${values.join(',')})`);
      }
    }
    return out;
  }

  /** The record's JSON as its main row's `raw` column holds it (for a record, not a quarantine row). */
  raw(entry: Entry): string {
    const table: LoadTable = entry.main ?? 'quarantine';
    const range = entry.ranges[table];
    const line = range ? this.lines[table].lines(range.start, range.end)[0] : undefined;
    const index = SHAPES[table].columns.indexOf('raw');
    return (line === undefined ? null : parseTsvLine(line)[index]) ?? '';
  }
}

/**
 * Writes records in batches sized by bytes, a few batches at once on separate connections. Each
 * batch is one transaction, so a record's rows (a conversation with its parts and contact links)
 * land together or not at all. A full refresh writes a batch with one `LOAD DATA LOCAL INFILE` per
 * table; a batch that warns, upsert mode and a server that refuses LOAD DATA LOCAL go by
 * multi-row INSERT. When the server refuses an INSERT for its data, the batch is written again
 * record by record and each refused record goes to the quarantine with the server's reason. A lost
 * connection is retried a few times; a lock conflict too.
 *
 * Rows are rendered as `LOAD DATA` lines into buffers reused from batch to batch as soon as a
 * record is added: a queued batch holds no JavaScript objects, which keeps the garbage collector's
 * work (and the load's CPU) down. `add` waits while `concurrency` batches are in flight, so memory
 * stays flat however large the lake is: at most (concurrency + 1) batches of about `batchBytes`.
 */
export class BatchWriter {
  readonly tally: WriterTally = {
    loaded: perStream(() => 0),
    quarantined: perStream(() => 0),
  };
  private readonly options: BatchWriterOptions;
  private readonly maxStatementBytes: number;
  private readonly lockAttempts: number;
  /** Whether full-refresh batches go by LOAD DATA LOCAL INFILE (off once the server refuses it). */
  private useLoadData: boolean;
  /** Line buffers of batches that were written, for the next batches. */
  private readonly spare: Lines[] = [];
  private batch: Batch;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(options: BatchWriterOptions) {
    this.options = options;
    this.maxStatementBytes = Math.max(
      1024,
      Math.min(options.batchBytes, options.maxPacketBytes - STATEMENT_OVERHEAD_BYTES),
    );
    this.lockAttempts = Math.max(1, options.lockAttempts ?? LOCK_ATTEMPTS);
    this.useLoadData = options.mode === 'full' && options.loadData !== false;
    this.batch = this.newBatch();
  }

  /** How batches are being written now: `load-data` (LOAD DATA LOCAL INFILE) or `insert`. */
  get method(): 'load-data' | 'insert' {
    return this.useLoadData ? 'load-data' : 'insert';
  }

  /** The largest tuple a statement can carry; a record with a larger row is quarantined unsent. */
  get maxTupleBytes(): number {
    return this.options.maxPacketBytes - STATEMENT_OVERHEAD_BYTES;
  }

  /**
   * Queue one record; writes a batch when enough bytes are queued.
   * @throws the first error a batch failed with (connection lost, server error).
   */
  async add(unit: RecordUnit): Promise<void> {
    this.throwIfFailed();
    // Every row must fit one INSERT, which a LOAD DATA batch falls back to. Each value of a row comes
    // from the record, so no row is much longer than twice its JSON: only a record near the limit
    // is measured, row by row as SQL.
    let largest = 0;
    if ((unit.raw.length * 2 + 4096) * MAX_BYTES_PER_UNIT > this.maxTupleBytes) {
      for (const table of WAREHOUSE_TABLES) {
        for (const row of unit.rows[table] ?? []) {
          largest = Math.max(largest, Buffer.byteLength(toTuple(SHAPES[table], row)));
        }
      }
    }
    if (largest > this.maxTupleBytes) {
      await this.addQuarantine(
        unit.stream,
        unit.recordId,
        unit.raw,
        `a row of this record is ${largest} bytes as SQL, more than the server's max_allowed_packet (${this.options.maxPacketBytes}) allows; raise max_allowed_packet to load it`,
      );
      return;
    }
    const mainRow = unit.rows[unit.main]?.[0];
    const mainKey = MAIN_KEY[unit.main].map((key) => mainRow?.[key]);
    this.batch.add(
      {
        stream: unit.stream,
        recordId: unit.recordId,
        main: unit.main,
        mainKey: mainKey.some((v) => v === null || v === undefined) ? undefined : mainKey.map(String),
        replace: unit.replace,
        quarantine: false,
      },
      unit.rows,
    );
    await this.flushIfFull();
  }

  /**
   * Queue a quarantine row for a record that cannot be loaded, with the reason.
   * @throws the first error a batch failed with.
   */
  async addQuarantine(
    stream: StreamName,
    recordId: string | null,
    raw: string,
    reason: string,
  ): Promise<void> {
    this.throwIfFailed();
    this.addQuarantineTo(this.batch, stream, recordId, raw, reason);
    await this.flushIfFull();
  }

  /**
   * Write what is queued and wait for every batch.
   * @throws the first error a batch failed with.
   */
  async finish(): Promise<WriterTally> {
    await this.flush();
    await Promise.all(this.inFlight);
    this.throwIfFailed();
    return this.tally;
  }

  /** Wait for batches in flight without writing more (after a failure elsewhere). */
  async settle(): Promise<void> {
    this.batch = this.newBatch();
    await Promise.all(this.inFlight);
  }

  private newBatch(): Batch {
    const lines =
      this.spare.pop() ??
      (Object.fromEntries(LOAD_TABLES.map((t) => [t, new LineBuffer(64 * 1024)])) as Lines);
    for (const table of LOAD_TABLES) lines[table].reset();
    return new Batch(lines);
  }

  private async flushIfFull(): Promise<void> {
    if (this.batch.bytes >= this.options.batchBytes) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.batch.entries.length === 0) return;
    const batch = this.batch;
    this.batch = this.newBatch();
    while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
    if (this.failure) return;
    const task: Promise<void> = this.writeBatch(batch)
      .then(() => {
        // Only a batch whose statements all finished gives its buffers back: after a failure a
        // stream could still be reading them.
        this.spare.push(batch.lines);
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Render a quarantine row into `batch`; returns its entry. */
  private addQuarantineTo(
    batch: Batch,
    stream: StreamName,
    recordId: string | null,
    raw: string,
    reason: string,
  ): Entry {
    // The quarantine row must itself fit a packet: keep the head of a huge record and say so (the
    // whole record is still in the lake).
    const limit = Math.floor(this.maxTupleBytes / 4);
    const bytes = Buffer.byteLength(raw);
    let kept = raw;
    let note = '';
    if (bytes > limit) {
      kept = Buffer.from(raw).subarray(0, limit).toString('utf8');
      note = ` (raw cut to its first ${limit} bytes of ${bytes}; the whole record is in the lake)`;
    }
    const row = {
      stream,
      recordId: recordId?.slice(0, 255) ?? null,
      reason: reason + note,
      raw: kept,
      loadedAt: this.options.loadedAt,
    };
    return batch.add({ stream, recordId, quarantine: true }, { quarantine: [row] });
  }

  private count(entries: Entry[]): void {
    for (const entry of entries) {
      if (entry.quarantine) this.tally.quarantined[entry.stream]++;
      else this.tally.loaded[entry.stream]++;
    }
  }

  /**
   * Write `pending` on `connection`, removing each entry from it once its transaction committed:
   * by LOAD DATA when it is on, else (or when LOAD DATA warned) by one multi-row INSERT per table,
   * else (when the server refused a row) record by record, quarantining each refused record.
   */
  private async writePending(connection: PoolConnection, batch: Batch, pending: Entry[]): Promise<void> {
    if (this.useLoadData && (await this.writeByLoadData(connection, batch, pending))) return;
    try {
      await this.writeEntries(connection, batch, pending, 'insert');
      this.count(pending);
      pending.length = 0;
      return;
    } catch (error) {
      if (!(error instanceof BatchFailure) || !isRefusal(error.cause)) throw error;
    }
    while (pending.length > 0) {
      const entry = pending[0] as Entry;
      try {
        await this.writeEntries(connection, batch, [entry], 'insert');
        this.count([entry]);
      } catch (error) {
        if (!(error instanceof BatchFailure) || !isRefusal(error.cause) || entry.quarantine) {
          throw error;
        }
        const reason = `the database refused it: ${(error.cause as Error).message}`;
        const q = this.addQuarantineTo(batch, entry.stream, entry.recordId, batch.raw(entry), reason);
        // The quarantine row takes the refused record's place, so a retry writes it, not the record.
        pending[0] = q;
        await this.writeEntries(connection, batch, [q], 'insert');
        this.count([q]);
      }
      pending.shift();
    }
  }

  /**
   * Write `pending` by LOAD DATA; false when the batch must go by INSERT instead: it warned, or the
   * server refuses LOAD DATA LOCAL (which turns it off for the rest of the load).
   */
  private async writeByLoadData(
    connection: PoolConnection,
    batch: Batch,
    pending: Entry[],
  ): Promise<boolean> {
    try {
      await this.writeEntries(connection, batch, pending, 'load-data');
    } catch (error) {
      if (!(error instanceof BatchFailure)) throw error;
      if (isLoadDataRefused(error.cause)) {
        // Batches in flight on other connections meet the refusal too: say it once.
        if (this.useLoadData) {
          this.useLoadData = false;
          this.options.log?.warn(
            { code: codeOf(error.cause), message: error.message },
            'the server refuses LOAD DATA LOCAL INFILE (set local_infile=1 in its parameter group to allow it); loading by INSERT, which is slower',
          );
        }
        return false;
      }
      if (error.cause instanceof LoadDataWarnings || isRefusal(error.cause)) return false;
      throw error;
    }
    this.count(pending);
    pending.length = 0;
    return true;
  }

  /**
   * `data` into `table` with one `LOAD DATA LOCAL INFILE`, its bytes streamed from memory.
   * @throws LoadDataWarnings when the server warned (with LOCAL it skips a duplicate key and
   *   truncates or converts a bad value instead of refusing it) or took another number of rows.
   */
  private async loadData(
    connection: PoolConnection,
    table: LoadTable,
    data: { bytes: Buffer; rows: number },
  ): Promise<void> {
    const chunk = Math.min(LOAD_DATA_CHUNK_BYTES, Math.floor(this.options.maxPacketBytes / 2));
    const [result] = await connection.query<ResultSetHeader>({
      sql: loadDataSql(this.options.tables[table], SHAPES[table]),
      // The server names the file it wants; whatever it names, it gets this batch and nothing else.
      infileStreamFactory: () => Readable.from(chunks(data.bytes, chunk)),
    });
    if (result.warningStatus > 0 || result.affectedRows !== data.rows) {
      throw new LoadDataWarnings(
        `LOAD DATA into ${table} took ${result.affectedRows} of ${data.rows} rows with ${result.warningStatus} warnings`,
      );
    }
  }

  private async writeBatch(batch: Batch): Promise<void> {
    // Records whose transaction has committed leave `pending`, so a retry after a lost connection
    // writes only what is not in the database yet and can never insert a row twice.
    const pending = [...batch.entries];
    let table: LoadTable = batch.entries[0]?.main ?? 'quarantine';
    for (let attempt = 1; ; attempt++) {
      let connection: PoolConnection | undefined;
      try {
        connection = await this.options.pool.getConnection();
        await this.writePending(connection, batch, pending);
        connection.release();
        return;
      } catch (error) {
        const lost = isConnectionLost(error);
        // A connection that broke must not go back to the pool for the next batch to meet.
        if (connection) {
          if (lost) connection.destroy();
          else connection.release();
        }
        const failure = error instanceof BatchFailure ? error : undefined;
        table = failure?.table ?? table;
        const cause = failure?.cause ?? error;
        if (!lost) throw failure ? failure.toError(this.options.mode) : error;
        if (failure?.phase === 'commit' && !this.canRepeat(pending)) {
          const outcome = await this.committed(pending).catch(() => 'unknown' as const);
          if (outcome === 'yes') {
            this.count(pending);
            return;
          }
          if (outcome === 'unknown') {
            throw new TransientError(
              `The connection to the warehouse was lost while a batch into table ${table} was committing, and whether it was written cannot be told; the load stopped rather than risk a row twice. Run the load again.`,
              { cause },
            );
          }
        }
        if (attempt >= CONNECTION_ATTEMPTS) {
          throw new TransientError(
            `The connection to the warehouse was lost ${attempt} times while writing table ${table} (${codeOf(cause) || 'connection lost'}). Check that the database server is up and not restarting or killing sessions, then run the load again.`,
            { cause },
          );
        }
        this.options.log?.warn({ table, code: codeOf(cause), attempt }, 'connection lost, batch retried');
        await sleep(backoffMs(attempt));
      }
    }
  }

  /**
   * Whether `entries` may be written again when it is unknown whether their COMMIT went through: in
   * upsert mode every row is keyed and written with ON DUPLICATE KEY UPDATE (parts and links are
   * deleted first), so a second write gives the same rows; quarantine rows are appended, and a
   * full refresh's plain INSERT would meet its own rows as duplicates.
   */
  private canRepeat(entries: Entry[]): boolean {
    return this.options.mode === 'upsert' && !entries.some((e) => e.quarantine);
  }

  /**
   * After a COMMIT whose answer was lost: whether the batch is in the database. In a full refresh the
   * batch's plain INSERTs succeeded, so none of its ids was in the fresh tables before it: all of
   * them there now means it committed, none means it rolled back. Quarantine rows have no natural
   * key, so a batch holding one cannot be told.
   */
  private async committed(entries: Entry[]): Promise<'yes' | 'no' | 'unknown'> {
    if (this.options.mode !== 'full' || entries.some((e) => e.quarantine)) return 'unknown';
    const keys = new Map<WarehouseTable, string[][]>();
    for (const entry of entries) {
      if (entry.main === undefined || entry.mainKey === undefined) return 'unknown';
      const list = keys.get(entry.main) ?? [];
      list.push(entry.mainKey);
      keys.set(entry.main, list);
    }
    let found = 0;
    for (const [table, list] of keys) {
      // `(a, b) IN ((…), (…))` for a composite key (data_attribute's model and name).
      const columns = SHAPES[table].primaryKey;
      const [rows] = await this.options.pool.query<RowDataPacket[]>(
        columns.length === 1
          ? `SELECT COUNT(*) AS n FROM ${quoteId(this.options.tables[table])} WHERE ${quoteId(columns[0] as string)} IN (?)`
          : `SELECT COUNT(*) AS n FROM ${quoteId(this.options.tables[table])} WHERE (${columns.map(quoteId).join(',')}) IN (?)`,
        [columns.length === 1 ? list.map((key) => key[0]) : list],
      );
      found += Number(rows[0]?.n ?? 0);
    }
    if (found === entries.length) return 'yes';
    return found === 0 ? 'no' : 'unknown';
  }

  /** Write `entries` in one transaction, again after a lock conflict, with backoff, a few times. */
  private async writeEntries(
    connection: PoolConnection,
    batch: Batch,
    entries: Entry[],
    via: 'load-data' | 'insert',
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.writeOnce(connection, batch, entries, via);
        return;
      } catch (error) {
        if (!(error instanceof BatchFailure) || !LOCK_CONFLICTS.has(codeOf(error.cause))) throw error;
        if (attempt >= this.lockAttempts) {
          error.attempts = attempt;
          throw error;
        }
        this.options.log?.warn(
          { table: error.table, code: codeOf(error.cause), attempt },
          'lock conflict, batch retried',
        );
        await sleep(backoffMs(attempt));
      }
    }
  }

  private async writeOnce(
    connection: PoolConnection,
    batch: Batch,
    entries: Entry[],
    via: 'load-data' | 'insert',
  ): Promise<void> {
    const { tables, mode } = this.options;
    let table: LoadTable = entries[0]?.main ?? 'quarantine';
    let phase: BatchFailure['phase'] = 'write';
    try {
      await connection.query('START TRANSACTION');
      if (mode === 'upsert') {
        // A record's children are replaced, not merged: a part deleted in Intercom (or a contact
        // removed from the conversation) must go from the warehouse too.
        for (const { tables: children, column, ids } of replacements(entries)) {
          for (const t of children) {
            table = t;
            await connection.query(`DELETE FROM ${quoteId(tables[t])} WHERE ${quoteId(column)} IN (?)`, [
              ids,
            ]);
          }
        }
      }
      for (const t of LOAD_TABLES) {
        if (!entries.some((e) => e.ranges[t])) continue;
        table = t;
        if (via === 'load-data') await this.loadData(connection, t, batch.data(t, entries));
        else await this.insert(connection, t, batch.tuples(t, entries));
      }
      phase = 'commit';
      await connection.query('COMMIT');
    } catch (error) {
      // Also after a lock wait timeout, which by default rolls back only the statement and leaves
      // the transaction open with the rows written so far.
      if (!isConnectionLost(error)) await connection.query('ROLLBACK').catch(() => undefined);
      throw new BatchFailure(error, table, phase);
    }
  }

  private async insert(connection: PoolConnection, table: LoadTable, tuples: string[]): Promise<void> {
    const upsert = this.options.mode === 'upsert' && table !== 'quarantine';
    const { head, tail } = insertStatementParts(this.options.tables[table], SHAPES[table], upsert);
    let parts: string[] = [];
    let bytes = 0;
    for (const tuple of tuples) {
      const size = Buffer.byteLength(tuple) + 1;
      if (parts.length > 0 && bytes + size > this.maxStatementBytes) {
        await connection.query(head + parts.join(',') + tail);
        parts = [];
        bytes = 0;
      }
      parts.push(tuple);
      bytes += size;
    }
    if (parts.length > 0) await connection.query(head + parts.join(',') + tail);
  }
}

/** Per table, the row keys of its primary key's columns (`['id']`, `['model', 'name']`): a main row's key. */
const MAIN_KEY = Object.fromEntries(
  LOAD_TABLES.map((table) => {
    const shape = SHAPES[table];
    return [table, shape.primaryKey.map((column) => shape.keys[shape.columns.indexOf(column)] as string)];
  }),
) as Record<LoadTable, string[]>;

/** The child rows `entries` replace in an upsert: ids grouped by the tables and column they are deleted from. */
function replacements(
  entries: Entry[],
): { tables: readonly WarehouseTable[]; column: string; ids: string[] }[] {
  const groups = new Map<string, { tables: readonly WarehouseTable[]; column: string; ids: string[] }>();
  for (const entry of entries) {
    // replaceChildrenOf is declared only by streams whose main table has a one-column key.
    const id = entry.mainKey?.[0];
    if (!entry.replace || id === undefined) continue;
    const key = `${entry.replace.tables.join(',')}\0${entry.replace.column}`;
    const group = groups.get(key) ?? { ...entry.replace, ids: [] };
    group.ids.push(id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** `data` in pieces of at most `size` bytes (views, not copies). */
function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}
