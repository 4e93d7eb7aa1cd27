/**
 * The `id` of a record as a string (Intercom sends ids as strings, a few as integers), or undefined
 * when the record is not an object or has no string or numeric id.
 */
export function recordIdOf(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const id = (record as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
