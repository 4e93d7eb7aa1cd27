import { ConfigError } from '../errors';

const S3_SCHEME = 's3://';
/** S3's bucket naming rules in short: 3-63 lowercase letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Any other `scheme://`: a lake URL that is neither S3 nor a folder. */
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A lake URL split into its S3 bucket and key prefix (`''` or ending in `/`). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** Whether `lakeUrl` names an S3 lake (`s3://...`) rather than a folder. */
export function isS3Url(lakeUrl: string): boolean {
  return lakeUrl.startsWith(S3_SCHEME);
}

/**
 * What is wrong with `lakeUrl` as a lake URL (`s3://bucket[/prefix]` or a folder path), in one
 * sentence for a {@link ConfigError}; undefined when nothing is.
 */
export function lakeUrlProblem(lakeUrl: string): string | undefined {
  if (isS3Url(lakeUrl)) {
    const bucket = lakeUrl.slice(S3_SCHEME.length).split('/')[0] ?? '';
    if (!BUCKET_NAME.test(bucket)) {
      return `LAKE_URL "${lakeUrl}" does not name a valid S3 bucket (s3://bucket[/prefix]).`;
    }
    return undefined;
  }
  if (OTHER_SCHEME.test(lakeUrl)) return `LAKE_URL "${lakeUrl}" must be s3://bucket[/prefix] or a folder path.`;
  return undefined;
}

/**
 * `s3://bucket/some/prefix` -> `{ bucket, prefix: 'some/prefix/' }`.
 *
 * @throws ConfigError when `url` is not `s3://bucket[/prefix]` with a valid bucket name.
 */
export function parseS3Url(url: string): S3Location {
  const problem = isS3Url(url)
    ? lakeUrlProblem(url)
    : `LAKE_URL "${url}" is not an S3 URL such as s3://bucket or s3://bucket/prefix.`;
  if (problem) throw new ConfigError([problem]);
  const [bucket = '', ...rest] = url.slice(S3_SCHEME.length).split('/');
  const path = rest.join('/').replace(/^\/+|\/+$/g, '');
  return { bucket, prefix: path ? `${path}/` : '' };
}
