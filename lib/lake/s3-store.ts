import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConfigError, DataError, TransientError } from '../errors';
import { createHashingTap, toReadable } from './hashing-tap';
import { missingKeyError, type Body, type LakeStore, type PutResult } from './store';

/**
 * Multipart part size for `put`. With `PUT_QUEUE_SIZE` parts in flight the upload holds about
 * 8 MiB × (4 + 1 being filled) = 40 MiB, a small slice of a 512 MiB Fargate task, while 10,000 parts
 * (the S3 limit) still allow objects of about 78 GiB.
 */
export const PUT_PART_SIZE_BYTES = 8 * 1024 * 1024;
/** Parts uploaded at once by `put`; 4 keeps a 0.25 vCPU task busy without growing memory. */
export const PUT_QUEUE_SIZE = 4;
/** CopyObject copies at most 5 GiB; larger objects are copied part by part with UploadPartCopy. */
export const COPY_OBJECT_MAX_BYTES = 5 * 1024 * 1024 * 1024;
/** Part size for UploadPartCopy (S3 allows 5 MiB to 5 GiB per part, 10,000 parts). */
const COPY_PART_SIZE_BYTES = 512 * 1024 * 1024;
const MAX_PARTS = 10_000;
const COPY_QUEUE_SIZE = 4;

/** Options of `S3Store`; tests pass an `S3Client` for a local server and smaller parts. */
export interface S3StoreOptions {
  /** The client to use; by default one built from the environment (see `defaultS3Client`). */
  client?: S3Client;
  /** Bytes per multipart part in `put` (at least 5 MiB); default `PUT_PART_SIZE_BYTES`. */
  partSize?: number;
  /** Parts in flight in `put`; default `PUT_QUEUE_SIZE`. */
  queueSize?: number;
  /** Objects larger than this are copied with UploadPartCopy; default `COPY_OBJECT_MAX_BYTES`. */
  multipartCopyThreshold?: number;
  /** Part size for UploadPartCopy; default 512 MiB (raised when 10,000 parts would not be enough). */
  copyPartSize?: number;
}

/**
 * An S3 client configured from the environment as the AWS SDK does it (region and credentials from
 * the environment, shared config or, in Fargate, the task role). The SDK itself reads
 * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`; when one is set we add path-style addressing and
 * checksums only when required, because local S3 servers (s3rver, MinIO) serve neither virtual-host
 * buckets nor the SDK's newer default checksums.
 */
export function defaultS3Client(env: Record<string, string | undefined> = process.env): S3Client {
  const customEndpoint = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  return new S3Client(
    customEndpoint
      ? {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {},
  );
}

/** `s3://bucket/some/prefix` -> `{ bucket, prefix: 'some/prefix/' }`. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  const bucket = match?.[1];
  if (!match || !bucket) {
    throw new ConfigError([`LAKE_URL "${url}" is not an S3 URL such as s3://bucket or s3://bucket/prefix.`]);
  }
  const rest = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket, prefix: rest ? `${rest}/` : '' };
}

interface S3ErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

function s3ErrorInfo(error: unknown): { name: string; status: number | undefined } {
  const e = (error ?? {}) as S3ErrorShape;
  return { name: typeof e.name === 'string' ? e.name : 'Error', status: e.$metadata?.httpStatusCode };
}

const ACCESS_ERRORS = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'AllAccessDisabled',
]);

const TRANSIENT_ERRORS = new Set([
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * A stand-in cause for S3 errors about credentials: the SDK's error object can carry the access key
 * id and the string that was signed, which must not reach a log through `cause`.
 */
function safeCause(error: unknown): Error {
  const { name, status } = s3ErrorInfo(error);
  const requestId = (error as S3ErrorShape | undefined)?.$metadata?.requestId;
  return new Error(`S3 answered ${name}${status ? ` (HTTP ${status})` : ''}${requestId ? `, request id ${requestId}` : ''}`);
}

/**
 * A lake in an S3 bucket (`s3://bucket[/prefix]`).
 *
 * `put` streams through a multipart upload (bounded memory) and aborts it on failure, so an object
 * appears whole or not at all and an existing object is replaced only on success. `copy` is
 * server-side; objects over 5 GiB go through UploadPartCopy because CopyObject refuses them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/copy-object.html).
 *
 * @throws ConfigError (from the constructor) when the URL is not `s3://bucket[/prefix]`; from any
 *   method when the bucket does not exist or access is denied (fix LAKE_URL or the IAM role).
 * @throws TransientError when S3 is slow or unreachable (retry).
 */
export class S3Store implements LakeStore {
  readonly url: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly multipartCopyThreshold: number;
  private readonly copyPartSize: number;

  constructor(url: string, options: S3StoreOptions = {}) {
    const { bucket, prefix } = parseS3Url(url);
    this.bucket = bucket;
    this.prefix = prefix;
    this.url = `s3://${bucket}${prefix ? `/${prefix.replace(/\/$/, '')}` : ''}`;
    this.client = options.client ?? defaultS3Client();
    this.partSize = options.partSize ?? PUT_PART_SIZE_BYTES;
    this.queueSize = options.queueSize ?? PUT_QUEUE_SIZE;
    this.multipartCopyThreshold = options.multipartCopyThreshold ?? COPY_OBJECT_MAX_BYTES;
    this.copyPartSize = options.copyPartSize ?? COPY_PART_SIZE_BYTES;
  }

  private objectKey(key: string): string {
    if (!key || key.startsWith('/') || key.split('/').includes('..')) {
      throw new Error(`lake key "${key}" is not a relative key inside the lake`);
    }
    return this.prefix + key;
  }

  /** Turns an SDK error into one of ours with a message that says what to check. */
  private translate(error: unknown, action: string, key?: string): Error {
    const { name, status } = s3ErrorInfo(error);
    const where = key ? `"${key}" in ${this.url}` : this.url;
    if (name === 'NoSuchBucket') {
      return new ConfigError(
        [
          `S3 bucket "${this.bucket}" does not exist (while trying to ${action} ${where}). Check LAKE_URL, the AWS region (AWS_REGION) and that the stack was deployed.`,
        ],
        { cause: safeCause(error) },
      );
    }
    if (ACCESS_ERRORS.has(name) || status === 403) {
      return new ConfigError(
        [
          `Access to S3 bucket "${this.bucket}" was denied (${name}, while trying to ${action} ${where}). Check that the credentials are valid (locally: AWS_PROFILE or AWS_ACCESS_KEY_ID; in Fargate: the task role) and that the IAM policy allows s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on arn:aws:s3:::${this.bucket}/${this.prefix}*.`,
        ],
        { cause: safeCause(error) },
      );
    }
    const code = (error as { code?: string } | undefined)?.code;
    if (TRANSIENT_ERRORS.has(name) || (code && TRANSIENT_ERRORS.has(code)) || (status !== undefined && status >= 500)) {
      return new TransientError(
        `S3 failed or did not answer in time (${code ?? name}) while trying to ${action} ${where}; retry the step.`,
        { cause: error },
      );
    }
    return error instanceof Error ? error : new Error(String(error), { cause: error });
  }

  private missing(key: string, error: unknown): DataError {
    return missingKeyError(this.url, key, safeCause(error));
  }

  async put(key: string, body: Body): Promise<PutResult> {
    const Key = this.objectKey(key);
    const hashing = createHashingTap();
    const tap = hashing.stream;
    const source = toReadable(body);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: tap, ContentType: 'application/json' },
      partSize: this.partSize,
      queueSize: this.queueSize,
      // Default, stated for the reader: a failed multipart upload is aborted, never left half-done.
      leavePartsOnError: false,
    });
    // The source's own failure is the one to report; it is seen first, on its 'error' event.
    let sourceError: { error: unknown } | undefined;
    source.once('error', (error) => (sourceError ??= { error }));
    // If S3 fails first, stop the pipeline too, or it would wait forever on a full buffer.
    const uploading = upload.done().catch((error: unknown) => {
      tap.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    });
    const [piped, uploaded] = await Promise.allSettled([pipeline(source, tap), uploading]);
    if (piped.status === 'rejected' || uploaded.status === 'rejected') {
      // Upload aborts a failed multipart upload itself; this also stops one still in flight.
      await upload.abort().catch(() => undefined);
      if (sourceError) throw sourceError.error;
      if (uploaded.status === 'rejected') throw this.translate(uploaded.reason, 'write', key);
      throw (piped as PromiseRejectedResult).reason;
    }
    return hashing.result();
  }

  /**
   * A PutObject with `If-None-Match: *`, which S3 honours since August 2024
   * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html): 412 means the
   * key exists; 409 means another conditional write to it is in flight, which we also count as lost.
   * Local S3 servers may ignore the header (s3rver does), so there the check is not atomic.
   */
  async putIfAbsent(key: string, text: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: text,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (error) {
      const { name, status } = s3ErrorInfo(error);
      if (status === 412 || status === 409 || name === 'PreconditionFailed' || name === 'ConditionalRequestConflict') {
        return false;
      }
      throw this.translate(error, 'write', key);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      if (!(out.Body instanceof Readable)) {
        throw new Error(`S3 returned no readable body for "${key}" in ${this.url}`);
      }
      return out.Body;
    } catch (error) {
      if (s3ErrorInfo(error).name === 'NoSuchKey') throw this.missing(key, error);
      throw this.translate(error, 'read', key);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  /** Size of `key`, or undefined when it does not exist. */
  private async head(key: string): Promise<number | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return out.ContentLength ?? 0;
    } catch (error) {
      const { name, status } = s3ErrorInfo(error);
      // HEAD responses have no body, so S3 can only say 404 (NotFound), not which thing is missing.
      if (name === 'NotFound' || name === 'NoSuchKey' || status === 404) return undefined;
      throw this.translate(error, 'check', key);
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const size = await this.head(from);
    if (size === undefined) throw this.missing(from, new Error('HeadObject: 404'));
    const CopySource = encodeURIComponent(`${this.bucket}/${this.objectKey(from)}`).replace(/%2F/g, '/');
    if (size > this.multipartCopyThreshold) {
      await this.copyMultipart(CopySource, size, from, to);
      return;
    }
    try {
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: this.objectKey(to), CopySource }),
      );
    } catch (error) {
      if (s3ErrorInfo(error).name === 'NoSuchKey') throw this.missing(from, error);
      throw this.translate(error, 'copy', `${from}" to "${to}`);
    }
  }

  /** Server-side copy of an object over 5 GiB, part by part; aborted on any failure. */
  private async copyMultipart(CopySource: string, size: number, from: string, to: string): Promise<void> {
    const Key = this.objectKey(to);
    const partSize = Math.max(this.copyPartSize, Math.ceil(size / MAX_PARTS));
    let UploadId: string | undefined;
    try {
      const created = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: 'application/json' }),
      );
      UploadId = created.UploadId;
      const ranges: { PartNumber: number; range: string }[] = [];
      for (let start = 0, n = 1; start < size; start += partSize, n++) {
        ranges.push({ PartNumber: n, range: `bytes=${start}-${Math.min(start + partSize, size) - 1}` });
      }
      const parts: CompletedPart[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let item = ranges[next++]; item; item = ranges[next++]) {
          const out = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key,
              UploadId,
              PartNumber: item.PartNumber,
              CopySource,
              CopySourceRange: item.range,
            }),
          );
          parts.push({ PartNumber: item.PartNumber, ETag: out.CopyPartResult?.ETag });
        }
      };
      await Promise.all(Array.from({ length: Math.min(COPY_QUEUE_SIZE, ranges.length) }, worker));
      parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      if (UploadId) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
          .catch(() => undefined);
      }
      if (s3ErrorInfo(error).name === 'NoSuchKey') throw this.missing(from, error);
      throw this.translate(error, 'copy', `${from}" to "${to}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken }),
        );
        for (const item of page.Contents ?? []) {
          if (item.Key) keys.push(item.Key.slice(this.prefix.length));
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    } catch (error) {
      throw this.translate(error, 'list', prefix || undefined);
    }
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      throw this.translate(error, 'delete', key);
    }
  }
}
