import type { S3Client } from '@aws-sdk/client-s3';
import { FolderStore } from './folder-store';
import { S3Store, type S3Settings } from './s3-store';
import { isS3Url } from './s3-url';
import type { LakeStore } from './store';

/**
 * The lake store for `LAKE_URL`: `s3://bucket[/prefix]` gives an `S3Store`, anything else a
 * `FolderStore` on that path.
 *
 * @param options.s3 region and endpoint of an S3 lake (`Config.aws`); credentials come from the
 *   SDK's chain (environment, profile or the Fargate task role).
 * @param options.s3Client a ready client instead (tests).
 * @throws ConfigError when an `s3://` URL names no valid bucket.
 */
export function openLake(
  lakeUrl: string,
  options: { s3?: Partial<S3Settings>; s3Client?: S3Client } = {},
): LakeStore {
  if (isS3Url(lakeUrl)) return new S3Store(lakeUrl, { client: options.s3Client, s3: options.s3 });
  return new FolderStore(lakeUrl);
}
