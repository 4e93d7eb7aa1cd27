import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Contact, Conversation, ConversationPart, ConversationSummary } from './types';

/** Where the real records recorded from a live workspace live (beside the project, never copied in). */
export const RECORDED_RECORDS_PATH = path.resolve(__dirname, '../../shared/intercom/recorded-records.jsonl');

/** The recorded contacts and conversations, ready to serve. */
export interface RecordedRecords {
  contacts: Contact[];
  conversations: ConversationSummary[];
  /** Each recorded conversation as `GET /conversations/{id}` returns it, keyed by conversation id. */
  fullConversations: Map<string, Conversation>;
}

interface RecordedLine {
  stream: string;
  data: Record<string, unknown>;
}

let cache: { file: string; records: RecordedRecords } | undefined;

/**
 * Read `recorded-records.jsonl` (3 contacts, 3 conversations, 3 parts) once per file.
 *
 * Parts carry a numeric `conversation_id` that the recording tool added; it is used to attach them to
 * their conversation and then removed, because the live API does not send it.
 *
 * @throws Error when the file is missing or a line is not JSON; the message names the file.
 */
export function loadRecordedRecords(file: string = RECORDED_RECORDS_PATH): RecordedRecords {
  if (cache?.file === file) return cache.records;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `The sandbox cannot read the recorded Intercom records at ${file}. The project expects to sit beside shared/intercom/; pass includeRecorded: false to run without them.`,
      { cause: error },
    );
  }
  const contacts: Contact[] = [];
  const conversations: ConversationSummary[] = [];
  const parts: { conversationId: string; part: ConversationPart }[] = [];
  text.split('\n').forEach((line, n) => {
    if (!line.trim()) return;
    let parsed: RecordedLine;
    try {
      parsed = JSON.parse(line) as RecordedLine;
    } catch (error) {
      throw new Error(`Line ${n + 1} of ${file} is not JSON; restore the file from shared/intercom.`, {
        cause: error,
      });
    }
    if (parsed.stream === 'contacts') contacts.push(parsed.data as unknown as Contact);
    else if (parsed.stream === 'conversations') {
      conversations.push(parsed.data as unknown as ConversationSummary);
    } else if (parsed.stream === 'conversation_parts') {
      const { conversation_id: conversationId, ...part } = parsed.data;
      parts.push({ conversationId: String(conversationId), part: part as unknown as ConversationPart });
    }
  });
  const fullConversations = new Map<string, Conversation>();
  for (const summary of conversations) {
    const own = parts.filter((p) => p.conversationId === summary.id).map((p) => p.part);
    fullConversations.set(summary.id, {
      ...summary,
      conversation_parts: {
        type: 'conversation_part.list',
        conversation_parts: own,
        total_count: own.length,
      },
    });
  }
  const records = { contacts, conversations, fullConversations };
  cache = { file, records };
  return records;
}
