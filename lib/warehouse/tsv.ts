/**
 * Rows in the text format `LOAD DATA` reads by default: one line per row, values separated by a
 * tab, `\N` for NULL, and backslash escapes for a backslash, tab, line feed, carriage return and
 * NUL inside a value. The statement `loadDataSql` writes names that format explicitly.
 */
import { quoteId, type SqlValue } from './rows';
import type { TableShape } from './rows';

const NEEDS_ESCAPE = /[\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/**
 * `value` as one field. Strings are escaped in two cheap steps: backslashes doubled first (common
 * in JSON text, `\"`), then the rare tab, line feed, carriage return and NUL turned into escapes,
 * which therefore never get their backslash doubled.
 */
export function tsvField(value: SqlValue | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') {
    const text = value.includes('\\') ? value.replaceAll('\\', '\\\\') : value;
    return NEEDS_ESCAPE.test(text) ? text.replace(/[\t\n\r\0]/g, (c) => ESCAPES[c] as string) : text;
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
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ` +
    `(${shape.columns.map(quoteId).join(',')})`
  );
}

const UNESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', '0': '\0', '\\': '\\' };

/**
 * The values of one line `tsvLine` wrote (without its line feed), as strings, `null` for `\N`:
 * the inverse of `tsvField`, used to write a batch again by INSERT.
 */
export function parseTsvLine(line: string): (string | null)[] {
  return line.split('\t').map((field) => {
    if (field === '\\N') return null;
    return field.includes('\\') ? field.replace(/\\(.)/gs, (_, c: string) => UNESCAPES[c] ?? c) : field;
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
