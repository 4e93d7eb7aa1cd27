import type { S3Client } from '@aws-sdk/client-s3';
import { FolderStore } from './folder-store';
import { S3Store } from './s3-store';
import type { LakeStore } from './store';

/**
 * The lake store for `LAKE_URL`: `s3://bucket[/prefix]` gives an `S3Store`, anything else a
 * `FolderStore` on that path.
 *
 * @param options.s3Client the client for an S3 lake; by default one configured from the environment
 *   (region, credentials or the Fargate task role, `AWS_ENDPOINT_URL_S3` for a local S3 server).
 * @throws ConfigError when an `s3://` URL names no bucket.
 */
export function openLake(lakeUrl: string, options: { s3Client?: S3Client } = {}): LakeStore {
  if (lakeUrl.startsWith('s3://')) return new S3Store(lakeUrl, { client: options.s3Client });
  return new FolderStore(lakeUrl);
}
