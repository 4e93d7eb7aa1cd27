import { consumeKinesisBatch, type KinesisEvent } from '../../lib/events/kinesis-batch';
import type { ConsumerParts } from '../../lib/events/consume';
import { silentLogger } from '../../lib/logger';
import { notificationOf } from '../../sandbox/webhooks';

const recordOf = (body: unknown, sequenceNumber: string) => ({
  kinesis: {
    data: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)).toString('base64'),
    sequenceNumber,
    approximateArrivalTimestamp: 1_700_000_000,
  },
});

function partsApplying(failOn: string | undefined, applied: string[]): ConsumerParts {
  return {
    isApplied: async (id) => applied.includes(id),
    fetchChanges: async (notification, raw) => {
      if (notification.id === failOn) throw new Error('Intercom answered 503');
      return { notification, raw, changes: [] };
    },
    apply: async (event) => {
      applied.push(event.notification.id);
      return { status: 'applied' };
    },
  };
}

describe('a Kinesis batch through the consumer (handlers/stream-apply)', () => {
  const n = (id: string) => notificationOf('contact.user.updated', { type: 'contact', id: 'c' }, { id });

  it('applies every record in order and reports no failure', async () => {
    const applied: string[] = [];
    const event: KinesisEvent = {
      Records: [recordOf(n('a'), '1'), recordOf(n('b'), '2'), recordOf(n('a'), '3')],
    };
    expect(await consumeKinesisBatch(event, partsApplying(undefined, applied), silentLogger())).toEqual({
      batchItemFailures: [],
    });
    expect(applied).toEqual(['a', 'b']);
  });

  it('reports the first failing record and tries nothing after it, so the shard keeps its order', async () => {
    const applied: string[] = [];
    const event: KinesisEvent = {
      Records: [recordOf(n('a'), '1'), recordOf(n('b'), '2'), recordOf(n('c'), '3')],
    };
    const response = await consumeKinesisBatch(event, partsApplying('b', applied), silentLogger());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(applied).toEqual(['a']);
  });

  it('skips a record that is not a notification (a retry cannot fix it) and goes on', async () => {
    const applied: string[] = [];
    const results: string[] = [];
    const event: KinesisEvent = { Records: [recordOf('garbage', '1'), recordOf(n('b'), '2')] };
    const response = await consumeKinesisBatch(
      event,
      partsApplying(undefined, applied),
      silentLogger(),
      (r) => results.push(r.status),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(results).toEqual(['rejected', 'applied']);
    expect(applied).toEqual(['b']);
  });
});
