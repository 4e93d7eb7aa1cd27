/**
 * Typed readers for the fields of an Intercom record. Each returns the value for a column or
 * throws a DataError that names the field, so the record is quarantined with a reason instead of
 * being dropped or loaded wrong.
 */
import { DataError } from '../errors';

/** A JSON object, as the lake holds each record. */
export type JsonObject = Record<string, unknown>;

/** Latest instant a MySQL `DATETIME` holds: 9999-12-31 23:59:59 UTC, in Unix seconds. */
export const MAX_DATETIME_SECONDS = 253_402_300_799;

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * The nested object at `field`, or null when it is missing or null.
 * @throws DataError when it is present but not an object.
 */
export function objectField(record: JsonObject, field: string): JsonObject | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new DataError(`field "${field}" should be an object but is ${describe(value)}`);
  return value;
}

/**
 * An id (string or integer, as Intercom sends both) as a string, or null when missing or null.
 * @throws DataError when it is another type or longer than `maxLength`.
 */
export function idField(record: JsonObject, field: string, maxLength: number): string | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) text = String(value);
  else throw new DataError(`field "${field}" should be an id (string or integer) but is ${describe(value)}`);
  if (text.length > maxLength) {
    throw new DataError(
      `field "${field}" is ${text.length} characters long; ids may have at most ${maxLength}`,
    );
  }
  return text;
}

/**
 * A string, or null when missing or null. Kept as sent: an empty string stays empty.
 * @throws DataError when it is another type, or longer than `maxLength` (when given).
 */
export function stringField(record: JsonObject, field: string, maxLength?: number): string | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new DataError(`field "${field}" should be a string but is ${describe(value)}`);
  }
  if (maxLength !== undefined && value.length > maxLength) {
    throw new DataError(`field "${field}" is ${value.length} characters long; the column holds ${maxLength}`);
  }
  return value;
}

/**
 * A boolean, or null when missing or null.
 * @throws DataError when it is another type.
 */
export function booleanField(record: JsonObject, field: string): boolean | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') {
    throw new DataError(`field "${field}" should be true or false but is ${describe(value)}`);
  }
  return value;
}

/**
 * An integer (counts, durations in seconds), or null when missing or null.
 * @throws DataError when it is not a safe integer.
 */
export function integerField(record: JsonObject, field: string): number | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new DataError(`field "${field}" should be an integer but is ${describe(value)}`);
  }
  return value;
}

/**
 * A Unix-seconds timestamp as a UTC `DATETIME` literal (`2043-10-10 00:00:00`), or null when
 * missing or null. Far-future values are real (Intercom returns `signed_up_at` in 2043-2056);
 * values outside what `DATETIME` holds (negative, or milliseconds sent by mistake) are refused
 * rather than clipped, so the record goes to quarantine with the reason.
 * @throws DataError when the value is not a number or is outside 1970-01-01 .. 9999-12-31.
 */
export function timestampField(record: JsonObject, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DataError(`field "${field}" should be a Unix timestamp in seconds but is ${describe(value)}`);
  }
  if (value < 0 || value > MAX_DATETIME_SECONDS) {
    throw new DataError(
      `field "${field}" is ${value}, outside the Unix seconds a DATETIME holds (0 to ${MAX_DATETIME_SECONDS})`,
    );
  }
  return formatDatetime(Math.trunc(value));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Unix seconds as a UTC `DATETIME` literal, `YYYY-MM-DD HH:MM:SS`. */
export function formatDatetime(seconds: number): string {
  // Built from the UTC fields rather than toISOString().slice().replace(): half the time, and the
  // load formats several timestamps per record (measured with --cpu-prof).
  const d = new Date(seconds * 1000);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** `value` as JSON text for a JSON column, or null when it is missing or null. */
export function jsonText(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * The items of a list wrapper (`{type:'list', data:[...]}` on contacts, `{type:'tag.list', tags:[...]}`
 * on conversations) under `itemsKey`, or null when the wrapper is missing or null.
 * @throws DataError when the wrapper is not an object or its items are not an array.
 */
export function listItems(record: JsonObject, field: string, itemsKey: string): unknown[] | null {
  const list = objectField(record, field);
  if (list === null) return null;
  const items = list[itemsKey];
  if (items === undefined || items === null) return null;
  if (!Array.isArray(items)) {
    throw new DataError(`field "${field}.${itemsKey}" should be an array but is ${describe(items)}`);
  }
  return items;
}

/**
 * Run `read` on a nested object and prefix any field it names with `prefix` (`source.author.id`),
 * so a quarantine reason points at the exact field.
 * @throws DataError from `read`, with the prefixed field name.
 */
export function within<T>(prefix: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DataError) {
      throw new DataError(error.message.replace(/^field "/, `field "${prefix}.`), { cause: error });
    }
    throw error;
  }
}
