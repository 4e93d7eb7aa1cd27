import { createHmac, timingSafeEqual } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parseS3Url } from '../lake/s3-url';
import { ApiError } from './api-error';

/** Where report files are served from when the API serves them itself (a folder lake). */
export const REPORT_FILES_PATH = '/report-files';

/** A link to one report file that stops working at `expiresAt`. */
export interface ReportLink {
  url: string;
  expiresAt: Date;
}

/** How report files are handed out: an S3 presigned URL, or a signed link to this API. */
export interface ReportLinks {
  readonly kind: 's3' | 'signed';
  /**
   * A link to the lake object `key` (`reports/<name>/<stamp>.csv`), valid `expiresS` seconds from `now`.
   * @param origin the API's own origin (`http://127.0.0.1:8787`), for links it serves.
   */
  linkTo(key: string, options: { now: Date; expiresS: number; origin: string }): Promise<ReportLink>;
}

/** Presigned S3 GETs, signed with the caller's credentials at `now` (so a test can sign in the past). */
export class S3ReportLinks implements ReportLinks {
  readonly kind = 's3';
  private readonly bucket: string;
  private readonly prefix: string;
  constructor(
    private readonly client: S3Client,
    lakeUrl: string,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(lakeUrl));
  }

  async linkTo(key: string, { now, expiresS }: { now: Date; expiresS: number }): Promise<ReportLink> {
    const url = await getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      {
        expiresIn: expiresS,
        signingDate: now,
      },
    );
    return { url, expiresAt: new Date(now.getTime() + expiresS * 1000) };
  }
}

/**
 * Links the API serves itself, for a folder lake: `/report-files/<name>/<stamp>.csv?expires=<unix
 * s>&signature=<hex>`, the signature an HMAC-SHA256 of the key and the expiry under the link key
 * (`REPORT_LINK_KEY`, or derived from `API_TOKEN`).
 */
export class SignedReportLinks implements ReportLinks {
  readonly kind = 'signed';
  constructor(private readonly key: Buffer) {}

  private sign(lakeKey: string, expires: number): Buffer {
    return createHmac('sha256', this.key).update(`${lakeKey}\n${expires}`).digest();
  }

  async linkTo(
    key: string,
    { now, expiresS, origin }: { now: Date; expiresS: number; origin: string },
  ): Promise<ReportLink> {
    const expires = Math.floor(now.getTime() / 1000) + expiresS;
    const path = key.replace(/^reports\//, '');
    const signature = this.sign(key, expires).toString('hex');
    return {
      url: `${origin}${REPORT_FILES_PATH}/${path}?expires=${expires}&signature=${signature}`,
      expiresAt: new Date(expires * 1000),
    };
  }

  /**
   * Check a link's query for the lake object `key` at `now`.
   * @throws ApiError 403 when the signature is missing or wrong, or the link expired.
   */
  verify(key: string, query: { expires?: string; signature?: string }, now: Date): void {
    const expires = Number(query.expires);
    const given = Buffer.from(query.signature ?? '', 'hex');
    const expected = this.sign(key, expires);
    if (!Number.isInteger(expires) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError(
        403,
        'This report link is not valid. Ask the API for the report again to get a new link.',
      );
    }
    if (now.getTime() >= expires * 1000) {
      throw new ApiError(
        403,
        'This report link has expired. Ask the API for the report again to get a new link.',
      );
    }
  }
}
