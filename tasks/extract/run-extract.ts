import { SourceError } from '../../lib/errors';
import type { IntercomClient } from '../../lib/intercom/client';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';
import { newRunId, runKey, runManifestKey } from '../../lib/lake/keys';
import { writeManifest, type RunManifest } from '../../lib/lake/manifest';
import { publishRun } from '../../lib/lake/publish';
import type { LakeStore } from '../../lib/lake/store';
import type { Logger } from '../../lib/logger';
import type { ExtractProgress } from '../../lib/progress';
import { partsComplete, partsOf } from '../../lib/records/conversation-parts';

/** Everything one extract needs, as plain arguments. */
export interface ExtractOptions {
  client: IntercomClient;
  store: LakeStore;
  log: Logger;
  apiUrl: string;
  apiVersion: string;
  progress?: ExtractProgress;
  runId?: string;
}

/**
 * Extract the whole workspace into the lake: every contact (nested lists completed) and every
 * conversation with its parts, written under `runs/<runId>/`, then published to `data/`.
 *
 * Contacts and conversations stream side by side: paging contacts is one request at a time, so on
 * its own it would leave most of the rate-limit window unused; beside the conversation details
 * it costs no wall time. `data/` is only replaced after both files and the manifest are written.
 *
 * @throws SourceError when Intercom refuses the token or a request; TransientError when retries
 *   ran out; in both cases `data/` is left as it was.
 */
export async function runExtract(options: ExtractOptions): Promise<RunManifest> {
  const { client, store, log, progress } = options;
  const runId = options.runId ?? newRunId();
  const startedAt = new Date();
  const timings: Record<string, number> = {};
  const truncated: string[] = [];
  const vanished: string[] = [];
  let parts = 0;
  let userCount = 0;
  let conversationCount = 0;

  const me = await client.me();
  log.info({ runId, lake: store.url, apiUrl: options.apiUrl, workspace: workspaceOf(me) }, 'extract started');
  progress?.start();
  try {
    const usersTask = timed(timings, 'users', () =>
      store.put(
        runKey(runId, 'users'),
        jsonArrayChunks(
          client.mapConcurrent(client.listContacts(), (contact) => client.completeContact(contact)),
          () => {
            userCount++;
            if (progress) progress.counts.contacts++;
          },
        ),
      ),
    );

    const fetchDetail = async (summary: { id: string }): Promise<Record<string, unknown> | undefined> => {
      try {
        return await client.getConversation(summary.id);
      } catch (error) {
        // Deleted between the list and the detail request: nothing left to copy, but say so.
        if (error instanceof SourceError && error.status === 404) {
          vanished.push(summary.id);
          return undefined;
        }
        throw error;
      }
    };
    const conversationsTask = timed(timings, 'conversations', () =>
      store.put(
        runKey(runId, 'conversations'),
        jsonArrayChunks(
          withoutGaps(client.mapConcurrent(client.listConversations(), fetchDetail)),
          (item) => {
            const conversation = item as Record<string, unknown>;
            const count = partsOf(conversation).length;
            conversationCount++;
            parts += count;
            if (!partsComplete(conversation)) truncated.push(String(conversation.id));
            if (progress) {
              progress.counts.conversations++;
              progress.counts.parts += count;
            }
          },
        ),
      ),
    );

    const [users, conversations] = await Promise.all([usersTask, conversationsTask]);
    const manifest: RunManifest = {
      runId,
      apiVersion: options.apiVersion,
      apiUrl: options.apiUrl,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      streams: {
        users: { key: runKey(runId, 'users'), count: userCount, bytes: users.bytes, sha256: users.sha256 },
        conversations: {
          key: runKey(runId, 'conversations'),
          count: conversationCount,
          bytes: conversations.bytes,
          sha256: conversations.sha256,
        },
      },
      parts,
      truncatedConversations: truncated,
      vanishedConversations: vanished,
      timings,
      requests: {
        total: client.stats.requests,
        retries: client.stats.retries,
        rateLimited: client.stats.rateLimited,
      },
    };
    await writeManifest(store, runManifestKey(runId), manifest);
    // Not in the manifest: publishing copies the manifest itself, so it cannot time its own copy.
    const publishStart = performance.now();
    await publishRun(store, runId);
    log.info({ runId, ms: Math.round(performance.now() - publishStart) }, 'run published to data/');
    return manifest;
  } finally {
    progress?.stop();
  }
}

async function timed<T>(timings: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - start);
  }
}

async function* withoutGaps<T>(source: AsyncIterable<T | undefined>): AsyncGenerator<T> {
  for await (const item of source) if (item !== undefined) yield item;
}

function workspaceOf(me: Record<string, unknown>): string | undefined {
  const app = me.app as { id_code?: unknown } | undefined;
  return typeof app?.id_code === 'string' ? app.id_code : undefined;
}
