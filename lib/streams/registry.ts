import { ADMINS } from './admins';
import { COMPANIES } from './companies';
import { CONVERSATIONS } from './conversations';
import { DATA_ATTRIBUTES } from './data-attributes';
import { SEGMENTS } from './segments';
import { TAGS } from './tags';
import { TEAMS } from './teams';
import { TICKETS } from './tickets';
import type { StreamDeclaration } from './types';
import { USERS } from './users';

/**
 * Every stream of the workspace, in the order the extract starts them and the load writes them.
 * Adding a stream is adding its declaration here; see docs/STREAMS.md.
 */
export const STREAMS = [
  USERS,
  CONVERSATIONS,
  ADMINS,
  TEAMS,
  TAGS,
  SEGMENTS,
  DATA_ATTRIBUTES,
  COMPANIES,
  TICKETS,
] as const;

/** The name of a registered stream (`users`, `conversations`). */
export type StreamName = (typeof STREAMS)[number]['name'];

/** The lookups over a list of declarations; the registry's are exported below. */
export interface StreamLookups<Name extends string> {
  /** Whether `name` is one of the streams. */
  isStreamName(name: string): name is Name;
  /**
   * The declaration of the stream called `name`.
   * @throws Error when no stream has that name; the message lists the names there are.
   */
  streamNamed(name: string): StreamDeclaration<Name>;
  /** `{ <name>: value(stream) }` for every stream, in order. */
  perStream<T>(value: (stream: StreamDeclaration<Name>) => T): Record<Name, T>;
}

/** {@link StreamLookups} over `streams` (the registry's, or a test's longer list). */
export function createLookups<Name extends string>(
  streams: readonly StreamDeclaration<Name>[],
): StreamLookups<Name> {
  return {
    isStreamName: (name): name is Name => streams.some((stream) => stream.name === name),
    streamNamed(name) {
      const stream = streams.find((s) => s.name === name);
      if (!stream) {
        throw new Error(
          `"${name}" is not a stream of this product; the streams are ${streams.map((s) => s.name).join(', ')}.`,
        );
      }
      return stream;
    },
    perStream: <T>(value: (stream: StreamDeclaration<Name>) => T) =>
      Object.fromEntries(streams.map((stream) => [stream.name, value(stream)])) as Record<Name, T>,
  };
}

export const { isStreamName, streamNamed, perStream } = createLookups<StreamName>(STREAMS);
