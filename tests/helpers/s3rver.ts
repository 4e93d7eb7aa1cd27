import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** The part of s3rver's API we use (the package ships no types). */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
interface S3rverAccountModule {
  DUMMY_ACCOUNT: {
    createKeyPair(accessKeyId: string, secretAccessKey: string): void;
    revokeAccessKey(accessKeyId: string): void;
  };
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
}) => S3rverServer;

/** A local S3 server for one test. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A bucket created for this server, empty at start. */
  bucket: string;
  /** A client set up for s3rver: path-style addressing, checksums only when required. */
  client: S3Client;
  /** Stop the server and remove its folder. */
  close(): Promise<void>;
}

/**
 * Start s3rver in-process on a random 127.0.0.1 port with its own temporary folder and one bucket.
 * The key pair is random and registered with s3rver for this server only, so no fixed credential
 * appears in a test and a client with another key is refused as S3 would refuse it.
 */
export async function startS3rver(): Promise<LocalS3> {
  // s3rver is CommonJS without types; require keeps the one untyped import in this file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as S3rverConstructor;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as S3rverAccountModule;
  const accessKeyId = `AK${randomBytes(9).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(20).toString('base64');
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory, silent: true });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: { accessKeyId, secretAccessKey },
  });
  const bucket = `lake-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    client,
    async close() {
      client.destroy();
      await server.close();
      DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
