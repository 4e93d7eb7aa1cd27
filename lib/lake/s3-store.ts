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
import { isNetworkErrorCode } from '../network-errors';
import { createHashingTap, toReadable } from './hashing-tap';
import { parseS3Url } from './s3-url';
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
  /** The client to use; by default one built from `s3` (see `defaultS3Client`). */
  client?: S3Client;
  /** Region and endpoint (from `Config.aws`): build the default client, and named in messages. */
  s3?: Partial<S3Settings>;
  /** Bytes per multipart part in `put` (at least 5 MiB); default `PUT_PART_SIZE_BYTES`. */
  partSize?: number;
  /** Parts in flight in `put`; default `PUT_QUEUE_SIZE`. */
  queueSize?: number;
  /** Objects larger than this are copied with UploadPartCopy; default `COPY_OBJECT_MAX_BYTES`. */
  multipartCopyThreshold?: number;
  /** Part size for UploadPartCopy; default 512 MiB (raised when 10,000 parts would not be enough). */
  copyPartSize?: number;
}

/** Where the S3 lake is served from, as `loadConfig` read it (`Config.aws`). */
export interface S3Settings {
  /** `AWS_REGION` (or `AWS_DEFAULT_REGION`); undefined leaves it to the AWS profile. */
  region: string | undefined;
  /** `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`): a local S3 server such as s3rver or MinIO. */
  endpoint: string | undefined;
}

/**
 * An S3 client for `settings`; credentials come from the AWS SDK's own chain (environment, shared
 * config or, in Fargate, the task role). With a custom endpoint we add path-style addressing and
 * checksums only when required, because local S3 servers (s3rver, MinIO) serve neither
 * virtual-host buckets nor the SDK's newer default checksums.
 */
export function defaultS3Client(settings: S3Settings): S3Client {
  const { region, endpoint } = settings;
  return new S3Client({
    ...(region ? { region } : {}),
    ...(endpoint
      ? {
          endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {}),
  });
}

/** The endpoint to name in messages: the custom one, or AWS's regional one. */
export function s3EndpointLabel(settings: Partial<S3Settings>): string {
  if (settings.endpoint) return settings.endpoint;
  return settings.region ? `https://s3.${settings.region}.amazonaws.com` : 'AWS S3';
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

/** S3's own answers that mean "try again"; socket failures are in lib/network-errors. */
const TRANSIENT_ERRORS = new Set([
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'TimeoutError',
]);

/** What the AWS SDK throws when neither the client nor the environment or profile names a region. */
const REGION_MISSING = /^Region is missing/;

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
  private readonly endpoint: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly multipartCopyThreshold: number;
  private readonly copyPartSize: number;

  constructor(url: string, options: S3StoreOptions = {}) {
    const { bucket, prefix } = parseS3Url(url);
    this.bucket = bucket;
    this.prefix = prefix;
    this.url = `s3://${bucket}${prefix ? `/${prefix.replace(/\/$/, '')}` : ''}`;
    const s3 = { region: options.s3?.region, endpoint: options.s3?.endpoint };
    this.client = options.client ?? defaultS3Client(s3);
    this.endpoint = s3EndpointLabel(s3);
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
    const message = error instanceof Error ? error.message : '';
    if (REGION_MISSING.test(message)) {
      return new ConfigError(
        [
          `No AWS region is set for the S3 lake ${this.url} (while trying to ${action} ${where}). Set AWS_REGION to the bucket's region (for example AWS_REGION=eu-west-1), or give the AWS profile a region.`,
        ],
        { cause: safeCause(error) },
      );
    }
    if (name === 'NoSuchBucket') {
      return new ConfigError(
        [
          `S3 bucket "${this.bucket}" does not exist at ${this.endpoint} (while trying to ${action} ${where}). Check the bucket name in LAKE_URL, the AWS region (AWS_REGION) and that the stack was deployed.`,
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
    const unreached = `Cannot reach S3 at ${this.endpoint} for bucket "${this.bucket}" (${code}, while trying to ${action} ${where}).`;
    if (code === 'ENOTFOUND') {
      return new ConfigError(
        [
          `${unreached} The host name does not resolve: check AWS_REGION, the bucket name in LAKE_URL and, for a local S3 server, AWS_ENDPOINT_URL_S3.`,
        ],
        { cause: error },
      );
    }
    if (isNetworkErrorCode(code)) {
      return new TransientError(
        `${unreached} Check that this machine can reach S3 (internet access, a NAT gateway or an S3 VPC endpoint) and, for a local S3 server, that it runs at AWS_ENDPOINT_URL_S3; then run again.`,
        { cause: error },
      );
    }
    if (TRANSIENT_ERRORS.has(name) || (status !== undefined && status >= 500)) {
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
