import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { tsvField } from '../../warehouse/tsv';
import { ApiError, type RowError } from '../api-error';
import { ColumnInference, misfit, type ImportColumn } from './column-types';
import { readCsv } from './read-csv';

/** Column names follow the rule of table names: `^[a-z_][a-z0-9_]{0,63}$`. */
export const NAME_PATTERN = /^[a-z_][a-z0-9_]{0,63}$/;
/** A 422 lists at most this many problems (and says how many there were). */
export const MAX_ROW_ERRORS = 100;

/** What the first pass over the file found: the columns to write and how many rows. */
export interface ImportPlan {
  /** In the file's order. */
  columns: ImportColumn[];
  rows: number;
}

/** Writes each data row's cells as one TSV line (lib/warehouse/tsv.ts's format, empty cells NULL). */
class TsvSpool {
  private readonly out: WriteStream;
  private failure: Error | undefined;
  constructor(file: string) {
    this.out = createWriteStream(file);
    // Kept for close(): an error event without a listener (a full disk, or writes still queued
    // when a 422 destroys the stream) would otherwise crash the process.
    this.out.on('error', (error) => {
      this.failure ??= error;
    });
  }
  async write(cells: string[]): Promise<void> {
    let line = '';
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as string;
      line += (i > 0 ? '\t' : '') + tsvField(cell === '' ? null : cell);
    }
    if (!this.out.write(line + '\n')) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    this.out.end();
    await once(this.out, 'finish');
  }
  destroy(): void {
    this.out.destroy();
  }
}

function checkHeader(cells: string[], errors: RowError[]): string[] {
  const names = cells.map((cell) => cell.trim());
  if (names.length === 0 || (names.length === 1 && names[0] === '')) {
    errors.push({
      row: 1,
      column: null,
      message: 'the header row is empty; the first row must name the columns',
    });
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!NAME_PATTERN.test(name)) {
      errors.push({
        row: 1,
        column: name,
        message: `column name "${name}" must match ${NAME_PATTERN.source} (lowercase letters, digits, underscores)`,
      });
    } else if (seen.has(name)) {
      errors.push({ row: 1, column: name, message: `column "${name}" is named twice in the header` });
    }
    seen.add(name);
  }
  return names;
}

function checkAgainstTable(names: string[], existing: ImportColumn[], errors: RowError[]): ImportColumn[] {
  const byName = new Map(existing.map((column) => [column.name, column]));
  for (const name of names) {
    if (!byName.has(name)) {
      errors.push({
        row: 1,
        column: name,
        message: `the table has no column "${name}"; its columns are ${existing.map((c) => c.name).join(', ')}`,
      });
    }
  }
  for (const column of existing) {
    if (!names.includes(column.name)) {
      errors.push({
        row: 1,
        column: column.name,
        message: `the header lacks the table's column "${column.name}"`,
      });
    }
  }
  return names.map((name) => byName.get(name) as ImportColumn);
}

/**
 * First pass over the CSV: check the header, every row's cell count and (appending to an existing
 * table) every cell against its column's type; otherwise infer each column's type. The rows are
 * saved to `tsvFile` as they are read, so the write needs no second CSV parse. Nothing reaches the
 * warehouse here, so a 422 leaves it as it was.
 *
 * @param existing the table's columns when appending to a table that exists.
 * @throws ApiError 422 with up to {@link MAX_ROW_ERRORS} problems (row, column, message).
 */
export async function planImport(
  file: string,
  existing: ImportColumn[] | undefined,
  tsvFile: string,
): Promise<ImportPlan> {
  const spool = new TsvSpool(tsvFile);
  try {
    const plan = await checkRows(file, existing, spool);
    await spool.close();
    return plan;
  } catch (error) {
    spool.destroy();
    throw error;
  }
}

async function checkRows(
  file: string,
  existing: ImportColumn[] | undefined,
  spool: TsvSpool,
): Promise<ImportPlan> {
  const errors: RowError[] = [];
  let total = 0;
  const note = (error: RowError): void => {
    total += 1;
    if (errors.length < MAX_ROW_ERRORS) errors.push(error);
  };
  let names: string[] | undefined;
  let fixed: ImportColumn[] | undefined;
  let inferred: ColumnInference[] = [];
  let rows = 0;
  for await (const { row, cells } of readCsv(file)) {
    if (!names) {
      const headerErrors: RowError[] = [];
      names = checkHeader(cells, headerErrors);
      if (headerErrors.length === 0 && existing) fixed = checkAgainstTable(names, existing, headerErrors);
      if (headerErrors.length > 0) throw rejected(headerErrors, headerErrors.length);
      inferred = names.map((name) => new ColumnInference(name));
      continue;
    }
    rows += 1;
    if (cells.length !== names.length) {
      note({
        row,
        column: null,
        message: `the row has ${cells.length} cells; the header has ${names.length}`,
      });
      continue;
    }
    if (errors.length === 0) await spool.write(cells);
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as string;
      if (cell === '') {
        const column = fixed?.[i];
        if (column?.limits?.notNull) {
          note({ row, column: column.name, message: 'the cell is empty, but the column refuses NULL' });
        }
        continue;
      }
      if (fixed) {
        const column = fixed[i] as ImportColumn;
        const problem = misfit(cell, column);
        if (problem) note({ row, column: column.name, message: `${problem} (column type ${column.type})` });
      } else {
        (inferred[i] as ColumnInference).add(cell);
      }
    }
  }
  if (!names)
    throw rejected([{ row: null, column: null, message: 'the CSV is empty; it needs a header row' }], 1);
  if (errors.length > 0) throw rejected(errors, total);
  return { columns: fixed ?? inferred.map((column) => column.result()), rows };
}

function rejected(errors: RowError[], total: number): ApiError {
  const more = total > errors.length ? ` (the first ${errors.length} are listed)` : '';
  return new ApiError(
    422,
    `${total} problem${total === 1 ? '' : 's'} in the CSV${more}; nothing was imported. Fix the rows and send the file again.`,
    { rowErrors: errors },
  );
}
