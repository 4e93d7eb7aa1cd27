import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigError, TransientError } from '../../lib/errors';
import { S3Store } from '../../lib/lake/s3-store';
import { parseS3Url } from '../../lib/lake/s3-url';

// s3rver has no UploadPartCopy, so the over-5-GiB copy path is checked against a mocked client.
describe('S3Store.copy of objects over the CopyObject limit', () => {
  const GIB = 1024 * 1024 * 1024;

  it('copies part by part with byte ranges and completes the upload in part order', async () => {
    const s3 = mockClient(S3Client);
    s3.on(HeadObjectCommand).resolves({ ContentLength: 6 * GIB + 10 });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCopyCommand).callsFake((input: { PartNumber: number }) => ({
      CopyPartResult: { ETag: `"etag-${input.PartNumber}"` },
    }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const store = new S3Store('s3://bucket/p', { client: new S3Client({ region: 'us-east-1' }) });

    await store.copy('runs/r/conversations.json', 'data/conversations.json');

    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    const parts = s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(parts).toHaveLength(13);
    expect(parts.find((p) => p.PartNumber === 1)).toMatchObject({
      CopySource: 'bucket/p/runs/r/conversations.json',
      CopySourceRange: `bytes=0-${512 * 1024 * 1024 - 1}`,
      Key: 'p/data/conversations.json',
      UploadId: 'up-1',
    });
    expect(parts.find((p) => p.PartNumber === 13)?.CopySourceRange).toBe(
      `bytes=${12 * 512 * 1024 * 1024}-${6 * GIB + 9}`,
    );
    const complete = s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input;
    expect(complete?.MultipartUpload?.Parts?.map((p) => p.PartNumber)).toEqual(
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
    s3.restore();
  });

  it('aborts the multipart copy when a part fails, so no half object appears', async () => {
    const s3 = mockClient(S3Client);
    s3.on(HeadObjectCommand).resolves({ ContentLength: 6 * GIB });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-2' });
    s3.on(UploadPartCopyCommand).rejects(
      Object.assign(new Error('We encountered an internal error.'), {
        name: 'InternalError',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    s3.on(AbortMultipartUploadCommand).resolves({});
    const store = new S3Store('s3://bucket', { client: new S3Client({ region: 'us-east-1' }) });

    await expect(store.copy('runs/r/users.json', 'data/users.json')).rejects.toBeInstanceOf(TransientError);
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      UploadId: 'up-2',
    });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    s3.restore();
  });
});

describe('parseS3Url', () => {
  it('splits bucket and prefix and normalises slashes', () => {
    expect(parseS3Url('s3://my-lake')).toEqual({ bucket: 'my-lake', prefix: '' });
    expect(parseS3Url('s3://my-lake/')).toEqual({ bucket: 'my-lake', prefix: '' });
    expect(parseS3Url('s3://my-lake/a/b/')).toEqual({ bucket: 'my-lake', prefix: 'a/b/' });
  });

  it('refuses a URL without a bucket', () => {
    expect(() => parseS3Url('s3://')).toThrow(ConfigError);
  });
});
