import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../lib/errors';
import { loadConfig } from '../../lib/config';
import { S3Store } from '../../lib/lake/s3-store';
import { startS3rver, type LocalS3 } from '../helpers/s3rver';

const MIB = 1024 * 1024;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `total` bytes in 256 KiB chunks of a repeating pattern, like a stream of records. */
async function* pattern(total: number, failAfter?: number): AsyncGenerator<Buffer> {
  const chunk = Buffer.alloc(256 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = 32 + (i % 90);
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (failAfter !== undefined && sent >= failAfter) throw new Error('source broke half way');
    yield chunk.subarray(0, Math.min(chunk.length, total - sent));
  }
}

describe('S3Store on s3rver', () => {
  let s3: LocalS3;
  beforeEach(async () => {
    s3 = await startS3rver();
  });
  afterEach(async () => {
    await s3.close();
  });

  it('streams a body larger than one part as a multipart upload', async () => {
    const store = new S3Store(`s3://${s3.bucket}`, { client: s3.client, partSize: 5 * MIB, queueSize: 2 });
    const total = 11 * MIB + 123;
    const expected = createHash('sha256');
    for await (const chunk of pattern(total)) expected.update(chunk);
    const result = await store.put('runs/r/conversations.json', pattern(total));
    expect(result).toEqual({ bytes: total, sha256: expected.digest('hex') });
    const back = await readAll(await store.get('runs/r/conversations.json'));
    expect(back.length).toBe(total);
    expect(createHash('sha256').update(back).digest('hex')).toBe(result.sha256);
  });

  it('leaves no object when a multipart body fails after some parts were sent', async () => {
    const store = new S3Store(`s3://${s3.bucket}`, { client: s3.client, partSize: 5 * MIB, queueSize: 1 });
    await expect(store.put('data/conversations.json', pattern(20 * MIB, 12 * MIB))).rejects.toThrow(
      'source broke half way',
    );
    expect(await store.exists('data/conversations.json')).toBe(false);
    expect(await store.list('')).toEqual([]);
  });

  it('keeps every key under the URL prefix and lists keys relative to it', async () => {
    const store = new S3Store(`s3://${s3.bucket}/team/lake/`, { client: s3.client });
    expect(store.url).toBe(`s3://${s3.bucket}/team/lake`);
    await store.put('data/users.json', Readable.from(['[]\n']));
    const raw = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    expect(raw.Contents?.map((c) => c.Key)).toEqual(['team/lake/data/users.json']);
    expect(await store.list('data/')).toEqual(['data/users.json']);
  });

  it('reaches the S3 server that AWS_ENDPOINT_URL_S3 names, through loadConfig, when no client is given', async () => {
    const credentials = await s3.client.config.credentials();
    // Credentials are the one thing the AWS SDK reads from the environment itself.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    try {
      const config = loadConfig({ AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: 'us-east-1' });
      const store = new S3Store(`s3://${s3.bucket}`, { s3: config.aws });
      await store.put('data/users.json', Readable.from(['[]\n']));
      expect((await readAll(await store.get('data/users.json'))).toString()).toBe('[]\n');
    } finally {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('explains refused credentials in one message that names the bucket and leaks no secret', async () => {
    const secretAccessKey = randomBytes(20).toString('base64');
    const stranger = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: `AK${randomBytes(9).toString('hex')}`, secretAccessKey },
    });
    const store = new S3Store(`s3://${s3.bucket}`, { client: stranger });
    const error: unknown = await store.list('data/').catch((e: unknown) => e);
    stranger.destroy();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`"${s3.bucket}"`);
    expect(message).toMatch(/denied.*IAM/s);
    expect(message).not.toContain(secretAccessKey);
    expect(JSON.stringify((error as Error).cause)).not.toContain(secretAccessKey);
  });

  it('says when the bucket does not exist', async () => {
    const store = new S3Store('s3://no-such-bucket-here', { client: s3.client });
    await expect(store.put('data/users.json', Readable.from(['[]\n']))).rejects.toThrow(
      /bucket "no-such-bucket-here" does not exist.*LAKE_URL/,
    );
    await expect(store.list('')).rejects.toBeInstanceOf(ConfigError);
  });
});
