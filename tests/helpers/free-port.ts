import { createServer, type AddressInfo } from 'node:net';

/** A loopback port free at the time of asking (listen on 0, read it, close), for a child server to take. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
