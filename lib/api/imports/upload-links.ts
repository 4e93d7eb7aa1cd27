import { createHmac, timingSafeEqual } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parseS3Url } from '../../lake/s3-url';
import { ApiError } from '../api-error';

/** Where a folder lake's API takes uploads itself: `PUT /import-files/<id>?bytes=&expires=&signature=`. */
export const UPLOAD_FILES_PATH = '/import-files';

/** How long an upload link works: 15 minutes, enough to send 10 MB over a slow line. */
export const UPLOAD_EXPIRES_S = 900;

/** A link to PUT one CSV of exactly `bytes` bytes to the lake key it was made for, until `expiresAt`. */
export interface UploadLink {
  url: string;
  /** Headers the PUT must carry (signed into the link). */
  headers: Record<string, string>;
  expiresAt: Date;
}

/** How upload links are made: an S3 presigned PUT, or a signed link to this API. */
export interface UploadLinks {
  readonly kind: 's3' | 'signed';
  /**
   * A link to PUT `bytes` bytes at lake key `key` (`imports/incoming/<id>.csv`), valid `expiresS`
   * seconds from `now`.
   * @param origin the API's own origin, for links it serves.
   */
  linkFor(
    key: string,
    options: { id: string; bytes: number; now: Date; expiresS: number; origin: string },
  ): Promise<UploadLink>;
}

/**
 * Presigned S3 PUTs with the length signed in (`content-length` is a signed header, so S3 refuses
 * a body of any other size), signed with the caller's credentials at `now`.
 */
export class S3UploadLinks implements UploadLinks {
  readonly kind = 's3';
  private readonly bucket: string;
  private readonly prefix: string;
  constructor(
    private readonly client: S3Client,
    lakeUrl: string,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(lakeUrl));
  }

  async linkFor(
    key: string,
    { bytes, now, expiresS }: { bytes: number; now: Date; expiresS: number },
  ): Promise<UploadLink> {
    const url = await getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, ContentLength: bytes }),
      { expiresIn: expiresS, signingDate: now, signableHeaders: new Set(['content-length']) },
    );
    return {
      url,
      headers: { 'content-length': String(bytes) },
      expiresAt: new Date(now.getTime() + expiresS * 1000),
    };
  }
}

/**
 * Links the API serves itself, for a folder lake: `/import-files/<id>?bytes=<n>&expires=<unix
 * s>&signature=<hex>`, the signature an HMAC-SHA256 of the key, the size and the expiry under the
 * link key that also signs report links (prefixed `upload`, so one kind of link never passes as the other).
 */
export class SignedUploadLinks implements UploadLinks {
  readonly kind = 'signed';
  constructor(private readonly key: Buffer) {}

  private sign(lakeKey: string, bytes: number, expires: number): Buffer {
    return createHmac('sha256', this.key).update(`upload\n${lakeKey}\n${bytes}\n${expires}`).digest();
  }

  async linkFor(
    key: string,
    {
      id,
      bytes,
      now,
      expiresS,
      origin,
    }: { id: string; bytes: number; now: Date; expiresS: number; origin: string },
  ): Promise<UploadLink> {
    const expires = Math.floor(now.getTime() / 1000) + expiresS;
    const signature = this.sign(key, bytes, expires).toString('hex');
    return {
      url: `${origin}${UPLOAD_FILES_PATH}/${id}?bytes=${bytes}&expires=${expires}&signature=${signature}`,
      headers: { 'content-length': String(bytes) },
      expiresAt: new Date(expires * 1000),
    };
  }

  /**
   * Check a link's query for the lake object `key` at `now`; returns the size the link allows.
   * @throws ApiError 403 when the signature is missing or wrong (a changed size or expiry), or the link expired.
   */
  verify(key: string, query: { bytes?: string; expires?: string; signature?: string }, now: Date): number {
    const bytes = Number(query.bytes);
    const expires = Number(query.expires);
    const given = Buffer.from(query.signature ?? '', 'hex');
    const expected = this.sign(key, bytes, expires);
    if (
      !Number.isInteger(bytes) ||
      !Number.isInteger(expires) ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    ) {
      throw new ApiError(403, 'This upload link is not valid. Ask POST /imports/uploads for a new one.');
    }
    if (now.getTime() >= expires * 1000) {
      throw new ApiError(403, 'This upload link has expired. Ask POST /imports/uploads for a new one.');
    }
    return bytes;
  }
}
