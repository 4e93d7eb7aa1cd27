import kinesalite from 'kinesalite';
import type { AddressInfo } from 'node:net';

/** A running in-process kinesalite. */
export interface LocalKinesis {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Start kinesalite (a Kinesis API server on an in-memory store) on a free loopback port. Streams
 * become active at once (its default waits 500 ms, as AWS takes a while).
 */
export async function startKinesalite(): Promise<LocalKinesis> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
