import { S3Client } from '@aws-sdk/client-s3';
import { FolderStore } from '../../lib/lake/folder-store';
import { openLake } from '../../lib/lake/open-lake';
import { S3Store } from '../../lib/lake/s3-store';

describe('openLake', () => {
  it('opens an S3 store for an s3:// URL', () => {
    const client = new S3Client({ region: 'us-east-1' });
    const store = openLake('s3://my-lake/prod', { s3Client: client });
    expect(store).toBeInstanceOf(S3Store);
    expect(store.url).toBe('s3://my-lake/prod');
    client.destroy();
  });

  it('opens a folder store for a path', () => {
    const store = openLake('./lake');
    expect(store).toBeInstanceOf(FolderStore);
    expect(store.url).toMatch(/lake$/);
  });
});
