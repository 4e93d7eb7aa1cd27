/**
 * Rows in a text format `LOAD DATA` reads: one line per row, values separated by a tab, and an
 * escape character that is not the usual backslash but SOH (U+0001), which JSON text can never
 * hold unescaped. Inside a value only SOH, tab, line feed and NUL are escaped (SOH SOH, SOH t,
 * SOH n, SOH 0), and NULL is SOH N; backslashes pass as they are. So the `raw` JSON of a record,
 * the bulk of every row, is written without a copy: with backslash escapes every `\"` in it had
 * to be doubled. `loadDataSql` names this format in the statement.
 */
import { quoteId, type SqlValue } from './rows';
import type { TableShape } from './rows';

/** The escape character of the format (SOH). */
export const ESCAPE = '\u0001';
// eslint-disable-next-line no-control-regex -- SOH is this format's escape character
const NEEDS_ESCAPE = /[\u0001\t\n\0]/;
const ESCAPES: Record<string, string> = {
  [ESCAPE]: ESCAPE + ESCAPE,
  '\t': `${ESCAPE}t`,
  '\n': `${ESCAPE}n`,
  '\0': `${ESCAPE}0`,
};
const NULL_FIELD = `${ESCAPE}N`;

/** `value` as one field: escaped only when it holds SOH, a tab, a line feed or NUL (rare). */
export function tsvField(value: SqlValue | undefined): string {
  if (value === null || value === undefined) return NULL_FIELD;
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex -- SOH is this format's escape character
    return NEEDS_ESCAPE.test(value) ? value.replace(/[\u0001\t\n\0]/g, (c) => ESCAPES[c] as string) : value;
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/** `row` as one line (with its line feed), its values in the column order of `shape`. */
export function tsvLine(shape: TableShape, row: Record<string, SqlValue>): string {
  let out = '';
  for (let i = 0; i < shape.keys.length; i++) {
    if (i > 0) out += '\t';
    out += tsvField(row[shape.keys[i] as string]);
  }
  return out + '\n';
}

/**
 * `LOAD DATA LOCAL INFILE` of lines from `tsvLine` into `table`. The file name is a placeholder:
 * the client answers the server's request for it with the batch's bytes from memory, never with
 * a file.
 */
export function loadDataSql(table: string, shape: TableShape): string {
  return (
    `LOAD DATA LOCAL INFILE 'batch.tsv' INTO TABLE ${quoteId(table)} CHARACTER SET utf8mb4 ` +
    // The SOH byte stands in the statement as it is: SQL has no escape sequence for it.
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '${ESCAPE}' LINES TERMINATED BY '\\n' ` +
    `(${shape.columns.map(quoteId).join(',')})`
  );
}

const UNESCAPES: Record<string, string> = { t: '\t', n: '\n', '0': '\0', [ESCAPE]: ESCAPE };
// eslint-disable-next-line no-control-regex -- SOH is this format's escape character
const ESCAPED = /\u0001([\s\S])/g;

/**
 * The values of one line `tsvLine` wrote (without its line feed), as strings, `null` for SOH N:
 * the inverse of `tsvField`, used to write a batch again by INSERT.
 */
export function parseTsvLine(line: string): (string | null)[] {
  return line.split('\t').map((field) => {
    if (field === NULL_FIELD) return null;
    return field.includes(ESCAPE) ? field.replace(ESCAPED, (_, c: string) => UNESCAPES[c] ?? c) : field;
  });
}

/**
 * Lines of one table for one batch, rendered straight into a buffer that is reused from batch to
 * batch: what a batch holds lives outside the JavaScript heap, so the garbage collector neither
 * copies it between generations nor marks it, and no new memory is allocated per batch.
 */
export class LineBuffer {
  private buffer: Buffer;
  /** Bytes written. */
  length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Append `line` (a whole line, with its line feed). */
  append(line: string): void {
    // At most 3 bytes of UTF-8 per UTF-16 unit.
    const needed = this.length + line.length * 3;
    if (needed > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    this.length += this.buffer.write(line, this.length);
  }

  /** The bytes from `start` to `end` (a view, valid until the buffer is reset). */
  bytes(start = 0, end = this.length): Buffer {
    return this.buffer.subarray(start, end);
  }

  /** The lines from `start` to `end`, without their line feeds. */
  lines(start: number, end: number): string[] {
    if (end <= start) return [];
    return this.buffer.toString('utf8', start, end - 1).split('\n');
  }

  /** Empty it for the next batch (the memory is kept). */
  reset(): void {
    this.length = 0;
  }
}
