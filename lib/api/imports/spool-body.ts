import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { ApiError } from '../api-error';

/** Largest CSV `POST /imports` accepts: 10 MB. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

/** A request body saved to a temporary file; `remove()` deletes it. */
export interface SpooledBody {
  file: string;
  bytes: number;
  remove(): Promise<void>;
}

function tooLarge(limit: number): ApiError {
  if (limit < MAX_IMPORT_BYTES) {
    return new ApiError(
      413,
      `The body is larger than the ${limit.toLocaleString('en-US')} bytes this upload link is for; nothing was saved. Ask POST /imports/uploads for a link of the file's size.`,
    );
  }
  return new ApiError(
    413,
    `The CSV is larger than ${limit.toLocaleString('en-US')} bytes (10 MB). Split it into smaller files and import them with append=true.`,
  );
}

/**
 * Stream `body` to a temporary file, stopping (and deleting the file) as soon as it passes
 * `limit` bytes, so an oversized upload is refused after reading at most `limit` bytes of it and
 * never held in memory. A declared `Content-Length` above the limit is refused before reading.
 *
 * @throws ApiError 413 when the body is larger than `limit`; 400 when there is none.
 */
export async function spoolBody(
  body: ReadableStream<Uint8Array> | null,
  options: { contentLength?: string | undefined; limit?: number; dir?: string } = {},
): Promise<SpooledBody> {
  const limit = options.limit ?? MAX_IMPORT_BYTES;
  const declared = options.contentLength === undefined ? undefined : Number(options.contentLength);
  if (declared !== undefined && Number.isFinite(declared) && declared > limit) {
    await body?.cancel().catch(() => undefined);
    throw tooLarge(limit);
  }
  if (!body)
    throw new ApiError(400, 'The request has no body; send the CSV as the body (Content-Type: text/csv).');
  const file = path.join(options.dir ?? tmpdir(), `import-${randomBytes(8).toString('hex')}.csv`);
  const out = createWriteStream(file);
  // Without a listener an error of the file (a full disk) would crash the process; `once` below
  // rejects with it instead.
  out.on('error', () => undefined);
  const remove = (): Promise<void> => rm(file, { force: true });
  let bytes = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(limit);
      }
      if (!out.write(value)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    await remove();
    throw error;
  }
  return { file, bytes, remove };
}
