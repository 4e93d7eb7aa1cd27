import { DataError } from '../errors';

/** Output is gathered into chunks of about this many characters, so `put` gets few large writes. */
export const CHUNK_TARGET_CHARS = 64 * 1024;

/**
 * A JSON array of `items` as text, one element per line:
 *
 * ```
 * [
 * {"id":"1"},
 * {"id":"2"}
 * ]
 * ```
 *
 * An empty source gives `[]\n`. The layout lets `readJsonArray` parse each line with `JSON.parse`
 * (its fast path) while the file stays plain JSON for any other reader. `JSON.stringify` never
 * writes a raw line feed (it escapes them inside strings), so each element is exactly one line.
 * Output is batched into chunks of about 64 KiB; a larger element is yielded as one chunk.
 *
 * @param onItem called with each item before it is written (to count records, for example).
 * @throws DataError when an item has no JSON form (`undefined`, a function, a symbol).
 * @throws whatever `JSON.stringify` throws on a circular or BigInt value, wrapped in DataError.
 */
export async function* jsonArrayChunks(
  items: AsyncIterable<unknown>,
  onItem?: (item: unknown) => void,
): AsyncGenerator<string> {
  let parts: string[] = [];
  let size = 0;
  let index = 0;
  for await (const item of items) {
    onItem?.(item);
    let json: string | undefined;
    try {
      json = JSON.stringify(item);
    } catch (error) {
      throw new DataError(`Element ${index} of the JSON array cannot be written as JSON (${(error as Error).message}).`, {
        cause: error,
      });
    }
    if (json === undefined) {
      throw new DataError(`Element ${index} of the JSON array is ${typeof item}, which has no JSON form.`);
    }
    const piece = (index === 0 ? '[\n' : ',\n') + json;
    parts.push(piece);
    size += piece.length;
    index++;
    if (size >= CHUNK_TARGET_CHARS) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  parts.push(index === 0 ? '[]\n' : '\n]\n');
  yield parts.join('');
}
