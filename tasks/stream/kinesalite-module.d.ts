// kinesalite ships no types; this is the part `startKinesalite` uses.
declare module 'kinesalite' {
  import type { Server } from 'node:net';
  /** A Kinesis API server (an in-memory store unless `path` is given); call `listen` on it. */
  function kinesalite(options?: {
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    path?: string;
  }): Server;
  export default kinesalite;
}
