import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError } from '../errors';
import type { StreamName } from '../lake/keys';
import type { Logger } from '../logger';
import { serverErrorOf } from './connection';
import { quoteId, toTuple } from './rows';
import { LOAD_TABLES, SHAPES, type LoadTable, type TargetNames } from './tables';

/** How a batch is written: plain INSERT into fresh tables, or INSERT … ON DUPLICATE KEY UPDATE. */
export type WriteMode = 'full' | 'upsert';

/** Every row one lake record gives, rendered as SQL tuples; written whole or not at all. */
export interface RecordUnit {
  stream: StreamName;
  /** The record's id, when it has one (for the quarantine). */
  recordId: string | null;
  /** Set for conversations: in upsert mode their parts and contact links are replaced. */
  conversationId?: string;
  /** SQL tuples per table. */
  rows: Partial<Record<LoadTable, string[]>>;
  /** Bytes of all tuples. */
  bytes: number;
  /** Bytes of the largest tuple (it must fit one statement). */
  largestTuple: number;
  /** The record as JSON text, kept for the quarantine should the database refuse it. */
  raw: string;
}

/** Settings of a `BatchWriter`. */
export interface BatchWriterOptions {
  pool: Pool;
  mode: WriteMode;
  tables: TargetNames;
  /** A batch is written once its tuples reach this many bytes. */
  batchBytes: number;
  /** The server's max_allowed_packet: no statement may reach it. */
  maxPacketBytes: number;
  /** Batches written at once, each on its own connection. */
  concurrency: number;
  /** `DATETIME` literal stamped on quarantine rows. */
  loadedAt: string;
  /** Tries of a batch that meets a deadlock or lock wait timeout (default 4). */
  lockAttempts?: number;
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
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);
const CONNECTION_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 100;
/** Room for `INSERT INTO … VALUES` and the ON DUPLICATE KEY clause in a packet. */
const STATEMENT_OVERHEAD_BYTES = 64 * 1024;

function codeOf(error: unknown): string {
  return String((error as { code?: unknown }).code ?? '');
}

/**
 * MariaDB's `ER_CONSTRAINT_FAILED` (a CHECK such as a JSON column's `json_valid`) is errno 4025;
 * mysql2 names codes from MySQL's table, where 4025 is `ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE`.
 */
const MARIADB_CONSTRAINT_FAILED_ERRNO = 4025;

/** Whether the server refused `error`'s statement because of the data in it. */
export function isRefusal(error: unknown): boolean {
  if (REFUSALS.has(codeOf(error))) return true;
  const { errno, sqlMessage } = error as { errno?: unknown; sqlMessage?: unknown };
  return errno === MARIADB_CONSTRAINT_FAILED_ERRNO && /^CONSTRAINT /.test(String(sqlMessage ?? ''));
}

/** Whether `error` (or the mysql2 error inside it) means the connection is gone. */
export function isConnectionLost(error: unknown): boolean {
  const server = serverErrorOf(error);
  if (server && CONNECTION_LOST.has(server.code)) return true;
  // mysql2 refuses further queries on a connection that died with a message and no code.
  return /closed state|connection lost/i.test(server?.message ?? (error as Error | undefined)?.message ?? '');
}

/** Exponential backoff with jitter: ~100, 200, 400 ms. */
function backoffMs(attempt: number): number {
  return BACKOFF_BASE_MS * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
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
 * Render one record's rows into a `RecordUnit`.
 * @param rows rows per table, each an object keyed like the Drizzle table.
 */
export function toUnit(
  stream: StreamName,
  recordId: string | null,
  raw: string,
  rows: Partial<Record<LoadTable, Record<string, unknown>[]>>,
  conversationId?: string,
): RecordUnit {
  const tuples: Partial<Record<LoadTable, string[]>> = {};
  let bytes = 0;
  let largestTuple = 0;
  for (const table of LOAD_TABLES) {
    const list = rows[table];
    if (!list || list.length === 0) continue;
    tuples[table] = list.map((row) => {
      const tuple = toTuple(SHAPES[table], row as Record<string, string | number | boolean | null>);
      const size = Buffer.byteLength(tuple);
      bytes += size;
      if (size > largestTuple) largestTuple = size;
      return tuple;
    });
  }
  return { stream, recordId, conversationId, rows: tuples, bytes, largestTuple, raw };
}

/**
 * Writes records in multi-row INSERT batches sized by bytes, a few batches at once on separate
 * connections. Each batch is one transaction, so a record's rows (a conversation with its parts
 * and contact links) land together or not at all. When the server refuses a batch for its data,
 * the batch is written again record by record and each refused record goes to the quarantine
 * with the server's reason; connection failures are not retried here and fail the load.
 *
 * `add` waits while `concurrency` batches are in flight, so memory stays flat however large the
 * lake is: at most (concurrency + 1) batches of `batchBytes` are held.
 */
export class BatchWriter {
  readonly tally: WriterTally = {
    loaded: { users: 0, conversations: 0 },
    quarantined: { users: 0, conversations: 0 },
  };
  private readonly options: BatchWriterOptions;
  private readonly maxStatementBytes: number;
  private readonly lockAttempts: number;
  private batch: RecordUnit[] = [];
  private batchBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(options: BatchWriterOptions) {
    this.options = options;
    this.maxStatementBytes = Math.max(
      1024,
      Math.min(options.batchBytes, options.maxPacketBytes - STATEMENT_OVERHEAD_BYTES),
    );
    this.lockAttempts = Math.max(1, options.lockAttempts ?? LOCK_ATTEMPTS);
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
    if (unit.largestTuple > this.maxTupleBytes) {
      await this.addQuarantine(
        unit.stream,
        unit.recordId,
        unit.raw,
        `a row of this record is ${unit.largestTuple} bytes as SQL, more than the server's max_allowed_packet (${this.options.maxPacketBytes}) allows; raise max_allowed_packet to load it`,
      );
      return;
    }
    await this.push(unit);
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
    await this.push(this.quarantineUnit(stream, recordId, raw, reason));
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
    this.batch = [];
    await Promise.all(this.inFlight);
  }

  private async push(unit: RecordUnit): Promise<void> {
    this.batch.push(unit);
    this.batchBytes += unit.bytes;
    if (this.batchBytes >= this.options.batchBytes) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const units = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
    if (this.failure) return;
    const task: Promise<void> = this.writeBatch(units)
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private quarantineUnit(
    stream: StreamName,
    recordId: string | null,
    raw: string,
    reason: string,
  ): RecordUnit {
    // The quarantine row must itself fit a packet: keep the head of a huge record and say so (the
    // whole record is still in the lake).
    const limit = Math.floor(this.maxTupleBytes / 4);
    let kept = raw;
    let note = '';
    if (Buffer.byteLength(raw) > limit) {
      kept = Buffer.from(raw).subarray(0, limit).toString('utf8');
      note = ` (raw cut to its first ${limit} bytes of ${Buffer.byteLength(raw)}; the whole record is in the lake)`;
    }
    const row = {
      stream,
      recordId: recordId?.slice(0, 255) ?? null,
      reason: reason + note,
      raw: kept,
      loadedAt: this.options.loadedAt,
    };
    const unit = toUnit(stream, recordId, raw, { quarantine: [row] });
    return { ...unit, raw: '' };
  }

  private isQuarantine(unit: RecordUnit): boolean {
    return unit.rows.quarantine !== undefined;
  }

  private count(units: RecordUnit[]): void {
    for (const unit of units) {
      if (this.isQuarantine(unit)) this.tally.quarantined[unit.stream]++;
      else this.tally.loaded[unit.stream]++;
    }
  }

  private async writeBatch(units: RecordUnit[]): Promise<void> {
    // Units whose transaction has committed leave `pending`, so a retry after a lost connection
    // writes only what is not in the database yet and can never insert a row twice.
    const pending = [...units];
    let table: LoadTable = units[0]?.rows.users ? 'users' : 'conversation';
    for (let attempt = 1; ; attempt++) {
      let connection: PoolConnection | undefined;
      try {
        connection = await this.options.pool.getConnection();
        await this.writePending(connection, pending);
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
   * Whether `units` may be written again when it is unknown whether their COMMIT went through: in
   * upsert mode every row is keyed and written with ON DUPLICATE KEY UPDATE (parts and links are
   * deleted first), so a second write gives the same rows; quarantine rows are appended, and a
   * full refresh's plain INSERT would meet its own rows as duplicates.
   */
  private canRepeat(units: RecordUnit[]): boolean {
    return this.options.mode === 'upsert' && !units.some((u) => this.isQuarantine(u));
  }

  /**
   * After a COMMIT whose answer was lost: whether the batch is in the database. In a full refresh the
   * batch's plain INSERTs succeeded, so none of its ids was in the fresh tables before it: all of
   * them there now means it committed, none means it rolled back. Quarantine rows have no natural
   * key, so a batch holding one cannot be told.
   */
  private async committed(units: RecordUnit[]): Promise<'yes' | 'no' | 'unknown'> {
    if (this.options.mode !== 'full' || units.some((u) => this.isQuarantine(u))) return 'unknown';
    const ids = { users: [] as string[], conversation: [] as string[] };
    for (const unit of units) {
      const id = unit.stream === 'users' ? unit.recordId : unit.conversationId;
      if (id === null || id === undefined) return 'unknown';
      ids[unit.stream === 'users' ? 'users' : 'conversation'].push(id);
    }
    let found = 0;
    for (const table of ['users', 'conversation'] as const) {
      if (ids[table].length === 0) continue;
      const [rows] = await this.options.pool.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM ${quoteId(this.options.tables[table])} WHERE id IN (?)`,
        [ids[table]],
      );
      found += Number(rows[0]?.n ?? 0);
    }
    if (found === units.length) return 'yes';
    return found === 0 ? 'no' : 'unknown';
  }

  /** Write `pending` on `connection`, removing each unit from it once its transaction committed. */
  private async writePending(connection: PoolConnection, pending: RecordUnit[]): Promise<void> {
    try {
      await this.writeUnits(connection, pending);
      this.count(pending);
      pending.length = 0;
      return;
    } catch (error) {
      if (!(error instanceof BatchFailure) || !isRefusal(error.cause)) throw error;
    }
    while (pending.length > 0) {
      const unit = pending[0] as RecordUnit;
      try {
        await this.writeUnits(connection, [unit]);
        this.count([unit]);
      } catch (error) {
        if (!(error instanceof BatchFailure) || !isRefusal(error.cause) || this.isQuarantine(unit)) {
          throw error;
        }
        const reason = `the database refused it: ${(error.cause as Error).message}`;
        const q = this.quarantineUnit(unit.stream, unit.recordId, unit.raw, reason);
        // The quarantine row takes the refused unit's place, so a retry writes it, not the unit.
        pending[0] = q;
        await this.writeUnits(connection, [q]);
        this.count([q]);
      }
      pending.shift();
    }
  }

  /** Write `units` in one transaction, again after a lock conflict, with backoff, a few times. */
  private async writeUnits(connection: PoolConnection, units: RecordUnit[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.writeOnce(connection, units);
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

  private async writeOnce(connection: PoolConnection, units: RecordUnit[]): Promise<void> {
    const { tables, mode } = this.options;
    let table: LoadTable = units[0]?.rows.users ? 'users' : 'conversation';
    let phase: BatchFailure['phase'] = 'write';
    try {
      await connection.query('START TRANSACTION');
      if (mode === 'upsert') {
        const ids = units.flatMap((u) => (u.conversationId === undefined ? [] : [u.conversationId]));
        if (ids.length > 0) {
          // A conversation's parts and links are replaced, not merged: a part deleted in Intercom
          // (or a contact removed from the conversation) must go from the warehouse too.
          for (const t of ['conversation_part', 'conversation_contact'] as const) {
            table = t;
            await connection.query(`DELETE FROM ${quoteId(tables[t])} WHERE conversation_id IN (?)`, [ids]);
          }
        }
      }
      for (const t of LOAD_TABLES) {
        const tuples = units.flatMap((u) => u.rows[t] ?? []);
        if (tuples.length === 0) continue;
        table = t;
        await this.insert(connection, t, tuples);
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
    const shape = SHAPES[table];
    const head = `INSERT INTO ${quoteId(this.options.tables[table])} (${shape.columns.map(quoteId).join(',')}) VALUES `;
    const upsert = this.options.mode === 'upsert' && table !== 'quarantine';
    const updates = shape.columns.filter((c) => !shape.primaryKey.includes(c));
    // VALUES(col) is deprecated in MySQL 8.0.20+ but still works, and it is the form MariaDB
    // understands; the `AS new` alias MySQL prefers is a syntax error on MariaDB.
    const tail = !upsert
      ? ''
      : updates.length === 0
        ? ` ON DUPLICATE KEY UPDATE ${quoteId(shape.primaryKey[0] as string)} = ${quoteId(shape.primaryKey[0] as string)}`
        : ` ON DUPLICATE KEY UPDATE ${updates.map((c) => `${quoteId(c)} = VALUES(${quoteId(c)})`).join(',')}`;
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
