/**
 * The column types of an import: what a CSV cell is read as, checked and converted to before it
 * reaches MySQL. Inference keeps, per column, every type all its non-empty cells fit, and picks
 * the narrowest one left.
 */

/** A column type of `POST /imports`, as the response names it. */
export type ImportType = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'text';

/** An import column: its name, type and the MySQL column type it is created or found with. */
export interface ImportColumn {
  name: string;
  type: ImportType;
  /** `BIGINT`, `DECIMAL(12,2)`, `TINYINT(1)`, `DATE`, `DATETIME(6)`, `TEXT`, ... */
  sqlType: string;
  /** Limits an existing column sets on what it holds; absent for columns this import creates. */
  limits?: ColumnLimits;
}

/** What an existing column (append) can hold beyond its type. */
export interface ColumnLimits {
  /** Integer range, inclusive. */
  min?: bigint;
  max?: bigint;
  /** Decimal digits left of the point and right of it. */
  integerDigits?: number;
  scale?: number;
  /** Longest text, in characters. */
  maxChars?: number;
  /** The column refuses NULL: an empty cell does not fit. */
  notNull?: boolean;
}

const INTEGER = /^[+-]?(0|[1-9]\d*)$/;
const DECIMAL = /^[+-]?(0|[1-9]\d*)\.(\d+)$/;
const BOOLEAN = /^(true|false)$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
/** MySQL's DECIMAL limits: 65 digits in all, 30 after the point. */
const DECIMAL_MAX_DIGITS = 65;
const DECIMAL_MAX_SCALE = 30;
/** TEXT holds 65,535 bytes; a longer cell makes the column MEDIUMTEXT (16 MiB, above the 10 MB body). */
const TEXT_MAX_BYTES = 65_535;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1000 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] as number));
}

/** Digits left and right of the point of an integer or decimal cell, or undefined for other text. */
function numberShape(cell: string): { integerDigits: number; scale: number } | undefined {
  const decimal = DECIMAL.exec(cell);
  if (decimal) return { integerDigits: (decimal[1] as string).length, scale: (decimal[2] as string).length };
  const integer = INTEGER.exec(cell);
  if (integer) return { integerDigits: (integer[1] as string).length, scale: 0 };
  return undefined;
}

/**
 * A datetime cell as a UTC `YYYY-MM-DD HH:MM:SS[.ffffff]` string; a date alone is midnight UTC, a
 * time without a zone is UTC. Undefined when the cell is no ISO-8601 date or datetime.
 */
export function toUtcDatetime(cell: string): string | undefined {
  const date = DATE.exec(cell);
  if (date) {
    const [, y, m, d] = date.map(Number) as [number, number, number, number];
    return validDate(y, m, d) ? `${cell} 00:00:00` : undefined;
  }
  const match = DATETIME.exec(cell);
  if (!match) return undefined;
  const [, ys, ms, ds, hs, mins, ss = '00', fraction, zone] = match as unknown as string[];
  const [y, m, d, h, min, s] = [ys, ms, ds, hs, mins, ss].map(Number) as number[];
  if (
    !validDate(y as number, m as number, d as number) ||
    (h as number) > 23 ||
    (min as number) > 59 ||
    (s as number) > 59
  ) {
    return undefined;
  }
  if (!zone || zone.toUpperCase() === 'Z') {
    // Already UTC: no date arithmetic (the common case, and the import's hottest check).
    return `${ys}-${ms}-${ds} ${hs}:${mins}:${ss}${fraction ? `.${fraction}` : ''}`;
  }
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  const offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  const utc = new Date(
    Date.UTC(y as number, (m as number) - 1, d as number, h, min, s) - offsetMinutes * 60_000,
  );
  const year = utc.getUTCFullYear();
  if (year < 1000 || year > 9999) return undefined;
  const text = utc.toISOString().slice(0, 19).replace('T', ' ');
  return fraction ? `${text}.${fraction}` : text;
}

/** Whether `cell` is a date (`YYYY-MM-DD`, a real day). */
function isDate(cell: string): boolean {
  const date = DATE.exec(cell);
  if (!date) return false;
  const [, y, m, d] = date.map(Number) as [number, number, number, number];
  return validDate(y, m, d);
}

/** Digits (with a sign) that always fit a BIGINT: the range check can skip BigInt for them. */
const SAFE_INTEGER_CHARS = 18;

function isBigint(cell: string, min = BIGINT_MIN, max = BIGINT_MAX): boolean {
  if (!INTEGER.test(cell)) return false;
  if (cell.length <= SAFE_INTEGER_CHARS && min === BIGINT_MIN && max === BIGINT_MAX) return true;
  const n = BigInt(cell);
  return n >= min && n <= max;
}

/**
 * The type one column's cells are inferred as, fed cell by cell. Integers and decimals with a
 * leading zero (`007`) stay text: a code such as a postcode would lose its zeros as a number.
 */
export class ColumnInference {
  private integer = true;
  private decimal = true;
  private boolean = true;
  private date = true;
  private datetime = true;
  private seen = false;
  private integerDigits = 1;
  private scale = 0;
  private maxBytes = 0;

  constructor(readonly name: string) {}

  /** Take a non-empty cell into account. */
  add(cell: string): void {
    this.seen = true;
    const bytes = Buffer.byteLength(cell);
    if (bytes > this.maxBytes) this.maxBytes = bytes;
    if (this.integer && !isBigint(cell)) this.integer = false;
    if (this.decimal) {
      const shape = numberShape(cell);
      if (!shape) this.decimal = false;
      else {
        this.integerDigits = Math.max(this.integerDigits, shape.integerDigits);
        this.scale = Math.max(this.scale, shape.scale);
        if (this.scale > DECIMAL_MAX_SCALE || this.integerDigits + this.scale > DECIMAL_MAX_DIGITS) {
          this.decimal = false;
        }
      }
    }
    if (this.boolean && !BOOLEAN.test(cell)) this.boolean = false;
    if (this.date && !isDate(cell)) this.date = false;
    if (this.datetime && toUtcDatetime(cell) === undefined) this.datetime = false;
  }

  /** The narrowest type every cell fits; text for a column of empty cells only. */
  result(): ImportColumn {
    const name = this.name;
    if (!this.seen) return { name, type: 'text', sqlType: 'TEXT' };
    if (this.integer) return { name, type: 'integer', sqlType: 'BIGINT' };
    if (this.decimal) {
      return { name, type: 'decimal', sqlType: `DECIMAL(${this.integerDigits + this.scale},${this.scale})` };
    }
    if (this.boolean) return { name, type: 'boolean', sqlType: 'TINYINT(1)' };
    if (this.date) return { name, type: 'date', sqlType: 'DATE' };
    if (this.datetime) return { name, type: 'datetime', sqlType: 'DATETIME(6)' };
    return { name, type: 'text', sqlType: this.maxBytes > TEXT_MAX_BYTES ? 'MEDIUMTEXT' : 'TEXT' };
  }
}

/**
 * Why `cell` (not empty) does not fit `column`, or undefined when it does: the 422 message for a
 * cell of an append.
 */
export function misfit(cell: string, column: ImportColumn): string | undefined {
  const limits = column.limits ?? {};
  switch (column.type) {
    case 'integer':
      return isBigint(cell, limits.min ?? BIGINT_MIN, limits.max ?? BIGINT_MAX)
        ? undefined
        : `"${preview(cell)}" is not an integer${limits.min !== undefined ? ` from ${limits.min} to ${limits.max}` : ''}`;
    case 'decimal': {
      const shape = numberShape(cell);
      const intDigits = limits.integerDigits ?? DECIMAL_MAX_DIGITS;
      const scale = limits.scale ?? DECIMAL_MAX_SCALE;
      if (shape && shape.integerDigits <= intDigits && shape.scale <= scale) return undefined;
      return `"${preview(cell)}" is not a decimal with at most ${intDigits} digits before the point and ${scale} after`;
    }
    case 'boolean':
      return BOOLEAN.test(cell) ? undefined : `"${preview(cell)}" is not a boolean (true or false)`;
    case 'date':
      return isDate(cell) ? undefined : `"${preview(cell)}" is not a date (YYYY-MM-DD)`;
    case 'datetime':
      return toUtcDatetime(cell) !== undefined
        ? undefined
        : `"${preview(cell)}" is not an ISO-8601 datetime (YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM])`;
    case 'text':
      return limits.maxChars !== undefined && [...cell].length > limits.maxChars
        ? `the text is longer than the column's ${limits.maxChars} characters`
        : undefined;
  }
}

/** The value sent to MySQL for a cell that fits `column` (empty cells are NULL). */
export function toSqlValue(cell: string, column: ImportColumn): string | number | null {
  if (cell === '') return null;
  switch (column.type) {
    case 'boolean':
      return cell.toLowerCase() === 'true' ? 1 : 0;
    case 'datetime':
      return toUtcDatetime(cell) as string;
    default:
      return cell;
  }
}

/** At most 40 characters of a cell, for messages. */
function preview(cell: string): string {
  return cell.length > 40 ? `${cell.slice(0, 40)}…` : cell;
}
