/**
 * Which webhook topics change which stream, as a declaration table: a topic's object (`contact` in
 * `contact.user.updated`) names the stream and the request that fetches its current record. The
 * action comes from the topic's last word: `*.deleted` removes the record, `*.merged` removes the
 * merged-away record and refreshes the survivor, every other topic refreshes the record.
 * https://developers.intercom.com/docs/references/2.14/webhooks/webhook-models
 */
import type { StreamName } from '../streams/registry';

/** One object whose topics the consumer applies. */
export interface TopicObject {
  /** The topic's first word: `contact`, `conversation`, `conversation_part`, `ticket`. */
  object: string;
  /** The stream whose declaration maps the record into the warehouse. */
  stream: StreamName;
  /** GET template for the current record (`/contacts/{id}`); a 404 there means deleted. */
  fetch: string;
}

/**
 * The objects applied to the warehouse. `conversation_part.*` notifications carry the whole
 * conversation as their item, so they refresh the conversation.
 */
export const TOPIC_OBJECTS: readonly TopicObject[] = [
  { object: 'contact', stream: 'users', fetch: '/contacts/{id}' },
  { object: 'conversation', stream: 'conversations', fetch: '/conversations/{id}' },
  { object: 'conversation_part', stream: 'conversations', fetch: '/conversations/{id}' },
  // Tickets: add `{ object: 'ticket', stream: 'tickets', fetch: '/tickets/{id}' }` once the
  // tickets stream is in lib/streams/registry.ts.
];

/** What a topic asks of the consumer. */
export type TopicAction = 'refresh' | 'delete' | 'merge';

/** The object and action of `topic`, or undefined when no stream takes it (it is only recorded). */
export function routeTopic(topic: string): { object: TopicObject; action: TopicAction } | undefined {
  const words = topic.split('.');
  const object = TOPIC_OBJECTS.find((o) => o.object === words[0]);
  if (!object || words.length < 2) return undefined;
  const last = words.at(-1);
  const action: TopicAction = last === 'deleted' ? 'delete' : last === 'merged' ? 'merge' : 'refresh';
  return { object, action };
}
