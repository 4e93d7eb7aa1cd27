import { FolderStore } from './folder-store';
import type { LakeStore } from './store';

/** The lake store for `LAKE_URL`: `s3://bucket[/prefix]` or a folder path. */
export function openLake(lakeUrl: string): LakeStore {
  if (lakeUrl.startsWith('s3://')) {
    throw new Error('the S3 lake backend is not implemented yet');
  }
  return new FolderStore(lakeUrl);
}
