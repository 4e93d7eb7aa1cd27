/**
 * The `id` of a record as a string (Intercom sends ids as strings, a few as integers), or undefined
 * when the record is not an object or has no string or numeric id.
 */
export function recordIdOf(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const id = (record as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** Between the parts of a composite key in {@link recordKeyOf}: `contact/email`. */
export const KEY_SEPARATOR = '/';

/**
 * The key of a record under a stream's `primaryKey` as one string: the field's value for a single
 * field (as {@link recordIdOf} reads `id`), the values joined by `/` for several (`contact/email`
 * for a data attribute keyed by model and name). Undefined when the record is not an object or a
 * key field is missing or not a string or number, so the caller keeps the record under no key
 * rather than dropping it.
 */
export function recordKeyOf(record: unknown, primaryKey: string | readonly string[]): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const fields = typeof primaryKey === 'string' ? [primaryKey] : primaryKey;
  const parts: string[] = [];
  for (const field of fields) {
    const value = (record as Record<string, unknown>)[field];
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    parts.push(String(value));
  }
  return parts.join(KEY_SEPARATOR);
}
