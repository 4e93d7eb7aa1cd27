import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import { DataError } from '../errors';

/** Options of `readJsonArray`. */
export interface ReadJsonArrayOptions {
  /** The lake key being read, named in error messages. */
  key?: string;
  /** Hex sha256 the bytes must have (from the run manifest); checked when the stream ends. */
  expectedSha256?: string;
}

const NEWLINE = 0x0a;
const COMMA = 0x2c;
/**
 * Lines longer than this go to the streaming parser instead of being gathered for `JSON.parse`:
 * it bounds memory for a file in another layout (a whole array on one line) while any real record
 * (a conversation with 500 parts is a few MB) stays on the fast path.
 */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/** The bytes of the source, hashed and counted as they pass. */
class Source {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  private readonly iterator: AsyncIterator<Buffer | string>;

  constructor(stream: Readable) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  }

  async next(): Promise<Buffer | undefined> {
    const { value, done } = await this.iterator.next();
    if (done) return undefined;
    const buf = typeof value === 'string' ? Buffer.from(value) : value;
    this.hash.update(buf);
    this.bytes += buf.length;
    return buf;
  }
}

function describe(key: string | undefined): string {
  return key ? `Lake file "${key}"` : 'The JSON array';
}

function corrupt(key: string | undefined, where: string, what: string, cause?: unknown): DataError {
  return new DataError(
    `${describe(key)} is corrupt or truncated: ${what} (${where}). Re-run the extract (npm run extract) to write it again.`,
    { cause, location: key },
  );
}

/**
 * Where the fast path gave up: the bytes not yet parsed, and where in the array they start:
 * at the very beginning, just after `[`, or just after the comma that follows an element.
 */
interface Fallback {
  rest: Buffer[];
  restOffset: number;
  position: 'start' | 'afterBracket' | 'afterComma';
}

/**
 * Yield each element of a top-level JSON array from `stream`, holding one element at a time.
 *
 * The fast path handles the one-element-per-line layout `jsonArrayChunks` writes: it splits on line
 * feeds and `JSON.parse`s each line, checking the layout strictly (`[` alone on the first line, a
 * comma after every element but the last, `]` alone at the end). Only whole lines that parse as one
 * value are taken, so the elements yielded are exactly a prefix of the array; at the first line
 * that does not fit, the rest of the bytes go to stream-json, which parses any JSON layout. A file
 * in another layout therefore gives the same elements, only more slowly.
 *
 * @throws DataError naming the key and the byte offset and element index where the text broke
 *   (corrupt, truncated, not an array, data after the array), or when the bytes do not have
 *   `expectedSha256`; the fix is to re-run the extract.
 */
export async function* readJsonArray(stream: Readable, options: ReadJsonArrayOptions = {}): AsyncGenerator<unknown> {
  for await (const element of readJsonArrayElements(stream, options)) yield element.value;
}

/** One element of a JSON array, with its JSON text when the fast path read it. */
export interface ArrayElement {
  value: unknown;
  /**
   * The element's JSON text exactly as the file holds it (its line without the trailing comma), so
   * a caller that needs the element as JSON again need not stringify it; undefined when the
   * element came from the streaming parser (a file in another layout).
   */
  text: string | undefined;
}

/** `readJsonArray`, yielding each element together with its JSON text (see {@link ArrayElement}). */
export async function* readJsonArrayElements(
  stream: Readable,
  options: ReadJsonArrayOptions = {},
): AsyncGenerator<ArrayElement> {
  try {
    yield* readElements(stream, options);
  } finally {
    // A consumer that stops early must not leave an S3 socket or a file handle open.
    stream.destroy();
  }
}

async function* readElements(stream: Readable, options: ReadJsonArrayOptions): AsyncGenerator<ArrayElement> {
  const { key } = options;
  const source = new Source(stream);
  let index = 0;
  let fallback: Fallback | undefined;

  // ---- fast path: one element per line -------------------------------------------------------
  let pieces: Buffer[] = [];
  let pending = 0; // bytes in `pieces`
  let lineStart = 0; // byte offset of the line being gathered
  let offset = 0; // byte offset of the current chunk
  // In an object so that TypeScript does not narrow it across the closures that change it.
  const layout: { state: 'start' | 'first' | 'afterComma' | 'afterLast' | 'closed' } = { state: 'start' };
  let held: { value: unknown; text: string; line: Buffer; offset: number } | undefined;

  /** Handle one whole line; returns false when the layout does not fit. */
  const takeLine = (
    line: Buffer,
    at: number,
  ): { ok: boolean; value?: unknown; text?: string; emit: boolean } => {
    switch (layout.state) {
      case 'start':
        if (line.length === 1 && line[0] === 0x5b) {
          layout.state = 'first';
          return { ok: true, emit: false };
        }
        if (line.toString('utf8').trim() === '[]') {
          layout.state = 'closed';
          return { ok: true, emit: false };
        }
        return { ok: false, emit: false };
      case 'first':
      case 'afterComma': {
        if (line.length === 0) return { ok: false, emit: false };
        const hasComma = line[line.length - 1] === COMMA;
        const text = line.toString('utf8', 0, hasComma ? line.length - 1 : line.length);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return { ok: false, emit: false };
        }
        if (hasComma) {
          layout.state = 'afterComma';
          return { ok: true, value, text, emit: true };
        }
        // Not yielded until the closing bracket confirms it was the last element.
        held = { value, text, line, offset: at };
        layout.state = 'afterLast';
        return { ok: true, emit: false };
      }
      case 'afterLast':
        if (line.length === 1 && line[0] === 0x5d) {
          layout.state = 'closed';
          return { ok: true, emit: false };
        }
        return { ok: false, emit: false };
      case 'closed':
        if (line.toString('utf8').trim() === '') return { ok: true, emit: false };
        throw corrupt(
          key,
          `byte ${at}, after element ${index + (held ? 1 : 0) - 1}`,
          'there is data after the closing bracket',
        );
    }
  };

  const toFallback = (lineAndRest: Buffer[], at: number): Fallback => {
    if (held) {
      // The held element is re-read by the streaming parser together with what follows it.
      const f: Fallback = {
        rest: [held.line, Buffer.from('\n'), ...lineAndRest],
        restOffset: held.offset,
        position: index > 0 ? 'afterComma' : 'afterBracket',
      };
      held = undefined;
      return f;
    }
    const position = layout.state === 'start' ? 'start' : layout.state === 'first' ? 'afterBracket' : 'afterComma';
    return { rest: lineAndRest, restOffset: at, position };
  };

  read: for (let chunk = await source.next(); chunk; chunk = await source.next()) {
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE, from); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
      const tail = chunk.subarray(from, nl);
      const line = pieces.length === 0 ? tail : Buffer.concat([...pieces, tail]);
      pieces = [];
      pending = 0;
      const at = lineStart;
      const result = takeLine(line, at);
      if (!result.ok) {
        fallback = toFallback([line, chunk.subarray(nl)], at);
        break read;
      }
      if (result.emit) {
        yield { value: result.value, text: result.text };
        index++;
      }
      from = nl + 1;
      lineStart = offset + from;
    }
    if (from < chunk.length) {
      pieces.push(chunk.subarray(from));
      pending += chunk.length - from;
    }
    offset += chunk.length;
    // A file in another layout may hold everything on one line; never gather it whole.
    if (pending > (layout.state === 'start' ? 16 : MAX_LINE_BYTES)) {
      if (layout.state === 'closed') {
        throw corrupt(key, `byte ${lineStart}`, 'there is data after the closing bracket');
      }
      fallback = toFallback(pieces, lineStart);
      pieces = [];
      break;
    }
  }

  if (!fallback) {
    if (pieces.length > 0) {
      // A last line without a line feed: accept it only if it completes the array.
      const line = Buffer.concat(pieces);
      const at = lineStart;
      const result = takeLine(line, at);
      if (result.emit) {
        throw corrupt(key, `byte ${offset}, after element ${index}`, 'the file ends after a comma, inside the array');
      }
      if (!result.ok) {
        fallback = toFallback([line], at);
      }
    }
  }
  if (!fallback) {
    if (layout.state !== 'closed') {
      if (layout.state === 'start') {
        throw corrupt(key, `byte ${offset}`, 'the file is empty, where a JSON array was expected');
      }
      throw corrupt(
        key,
        `byte ${offset}, after element ${index - 1 + (held ? 1 : 0)}`,
        'the file ends before the closing bracket of the array',
      );
    }
    if (held) {
      yield { value: held.value, text: held.text };
      index++;
    }
  } else {
    // ---- slow path: stream-json on the rest -------------------------------------------------
    yield* streamRest(source, fallback, index, key);
  }

  if (options.expectedSha256 !== undefined) {
    const actual = source.hash.digest('hex');
    if (actual !== options.expectedSha256.toLowerCase()) {
      throw new DataError(
        `${describe(key)} does not match its manifest: sha256 is ${actual} over ${source.bytes} bytes, the manifest says ${options.expectedSha256}. The file was changed or mixed with another run; re-run the extract (npm run extract) so that data/ and its manifest come from one run.`,
        { location: key },
      );
    }
  }
}

/**
 * Parse the bytes the fast path did not take with stream-json. After a comma the text starts with
 * an element, not with `[`, so a placeholder element is put in front and skipped: that keeps
 * `[1,\n]` (a trailing comma) an error instead of quietly reading it as `[]`.
 */
async function* streamRest(source: Source, fallback: Fallback, firstIndex: number, key: string | undefined) {
  const prefix = { start: '', afterBracket: '[', afterComma: '[null,' }[fallback.position];
  let fed = fallback.restOffset;
  async function* bytes(): AsyncGenerator<Buffer> {
    if (prefix) yield Buffer.from(prefix);
    for (const piece of fallback.rest) {
      fed += piece.length;
      yield piece;
    }
    for (let chunk = await source.next(); chunk; chunk = await source.next()) {
      fed += chunk.length;
      yield chunk;
    }
  }
  let index = firstIndex;
  const skip = fallback.position === 'afterComma' ? 1 : 0;
  let seen = 0;
  const parsed = Readable.from(bytes()).pipe(streamArray.withParserAsStream());
  try {
    for await (const item of parsed as AsyncIterable<{ key: number; value: unknown }>) {
      if (seen++ < skip) continue;
      yield { value: item.value, text: undefined };
      index++;
    }
  } catch (error) {
    throw corrupt(key, `before byte ${fed}, at element ${index}`,
      (error as Error).message.replace(/\.$/, ''),
      error,
    );
  } finally {
    parsed.destroy();
  }
}
