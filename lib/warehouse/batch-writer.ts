import type { Pool, PoolConnection } from 'mysql2/promise';
import type { StreamName } from '../lake/keys';
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
/** Lock conflicts between concurrent upsert batches: the batch is simply written again. */
const LOCK_CONFLICTS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const LOCK_RETRIES = 3;
/** Room for `INSERT INTO … VALUES` and the ON DUPLICATE KEY clause in a packet. */
const STATEMENT_OVERHEAD_BYTES = 64 * 1024;

function codeOf(error: unknown): string {
  return String((error as { code?: unknown }).code ?? '');
}

/** Whether the server refused `error`'s statement because of the data in it. */
export function isRefusal(error: unknown): boolean {
  return REFUSALS.has(codeOf(error));
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
    const connection = await this.options.pool.getConnection();
    try {
      try {
        await this.writeUnits(connection, units);
        this.count(units);
        return;
      } catch (error) {
        if (!isRefusal(error)) throw error;
      }
      for (const unit of units) {
        try {
          await this.writeUnits(connection, [unit]);
          this.count([unit]);
        } catch (error) {
          if (!isRefusal(error) || this.isQuarantine(unit)) throw error;
          const reason = `the database refused it: ${(error as Error).message}`;
          const q = this.quarantineUnit(unit.stream, unit.recordId, unit.raw, reason);
          await this.writeUnits(connection, [q]);
          this.count([q]);
        }
      }
    } finally {
      connection.release();
    }
  }

  private async writeUnits(connection: PoolConnection, units: RecordUnit[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.writeOnce(connection, units);
        return;
      } catch (error) {
        if (!LOCK_CONFLICTS.has(codeOf(error)) || attempt >= LOCK_RETRIES) throw error;
      }
    }
  }

  private async writeOnce(connection: PoolConnection, units: RecordUnit[]): Promise<void> {
    const { tables, mode } = this.options;
    await connection.query('START TRANSACTION');
    try {
      if (mode === 'upsert') {
        const ids = units.flatMap((u) => (u.conversationId === undefined ? [] : [u.conversationId]));
        if (ids.length > 0) {
          // A conversation's parts and links are replaced, not merged: a part deleted in Intercom
          // (or a contact removed from the conversation) must go from the warehouse too.
          for (const table of ['conversation_part', 'conversation_contact'] as const) {
            await connection.query(`DELETE FROM ${quoteId(tables[table])} WHERE conversation_id IN (?)`, [
              ids,
            ]);
          }
        }
      }
      for (const table of LOAD_TABLES) {
        const tuples = units.flatMap((u) => u.rows[table] ?? []);
        if (tuples.length > 0) await this.insert(connection, table, tuples);
      }
      await connection.query('COMMIT');
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
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
