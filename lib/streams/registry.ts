import { CONVERSATIONS } from './conversations';
import type { StreamDeclaration, WarehouseTable } from './types';
import { USERS } from './users';

/**
 * Every stream of the workspace, in the order the extract starts them and the load writes them.
 * Adding a stream is adding its declaration here; see docs/STREAMS.md.
 */
export const STREAMS = [USERS, CONVERSATIONS] as const;

/** The name of a registered stream (`users`, `conversations`). */
export type StreamName = (typeof STREAMS)[number]['name'];

/** A registered stream's declaration. */
export type RegisteredStream = (typeof STREAMS)[number];

/** Whether `name` is a registered stream. */
export function isStreamName(name: string): name is StreamName {
  return STREAMS.some((stream) => stream.name === name);
}

/**
 * The declaration of the stream called `name`.
 * @throws Error when no stream has that name (a bug or a lake from another product: the message
 *   lists the names there are).
 */
export function streamNamed(name: string): StreamDeclaration<StreamName> {
  const stream = STREAMS.find((s) => s.name === name);
  if (!stream) {
    throw new Error(
      `"${name}" is not a stream of this product; the streams are ${STREAMS.map((s) => s.name).join(', ')}.`,
    );
  }
  return stream;
}

/** `{ users: value(USERS), conversations: value(CONVERSATIONS) }`, in registry order. */
export function perStream<T>(value: (stream: StreamDeclaration<StreamName>) => T): Record<StreamName, T> {
  return Object.fromEntries(STREAMS.map((stream) => [stream.name, value(stream)])) as Record<StreamName, T>;
}

/** The stream whose main table is `table`, or undefined for a child table. */
export function streamWithMainTable(table: WarehouseTable): StreamDeclaration<StreamName> | undefined {
  return STREAMS.find((stream) => stream.tables[0] === table);
}
