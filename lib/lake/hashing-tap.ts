import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { Body, PutResult } from './store';

/** A pass-through stream that counts and hashes what flows through it, for `LakeStore.put`. */
export interface HashingTap {
  /** Pipe the body through this. */
  stream: Transform;
  /** Bytes and sha256 of everything that passed; call once the stream has ended. */
  result(): PutResult;
}

/** A {@link HashingTap}: both lake backends report bytes and sha256 of what they wrote this way. */
export function createHashingTap(): HashingTap {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer | string, _enc, done) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(buf);
      bytes += buf.length;
      done(null, buf);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

/** `body` as a byte stream (an async iterable of chunks becomes a Readable). */
export function toReadable(body: Body): Readable {
  return body instanceof Readable ? body : Readable.from(body, { objectMode: false });
}
