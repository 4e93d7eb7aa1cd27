import { createReceiverApp, WEBHOOK_PATH } from '../../lib/events/receiver';
import { signBody } from '../../lib/events/signature';
import { silentLogger } from '../../lib/logger';
import { notificationOf } from '../../sandbox/webhooks';

describe('the receiver app (answers and what it puts on the stream)', () => {
  const secret = 'unit-secret';
  const post = (
    app: ReturnType<typeof createReceiverApp>,
    body: string,
    signature = signBody(body, secret),
  ) =>
    app.request(WEBHOOK_PATH, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-hub-signature': signature },
    });

  it('puts the raw body and a newline on the stream, keyed by the item id', async () => {
    const put: [string, string][] = [];
    const app = createReceiverApp({
      clientSecret: secret,
      log: silentLogger(),
      publish: async (body, key) => void put.push([Buffer.from(body).toString('utf8'), key]),
    });
    const body = JSON.stringify(
      notificationOf('conversation.admin.closed', { type: 'conversation', id: '501' }),
    );
    expect((await post(app, body)).status).toBe(200);
    expect(put).toEqual([[`${body}\n`, '501']]);
  });

  it('answers 503 when the stream refuses, so that Intercom sends it again', async () => {
    const app = createReceiverApp({
      clientSecret: secret,
      log: silentLogger(),
      publish: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    });
    const body = JSON.stringify(notificationOf('contact.user.updated', { type: 'contact', id: 'c1' }));
    expect((await post(app, body)).status).toBe(503);
  });

  it('refuses a body past the size cap with 413 before reading it whole, and puts nothing', async () => {
    const put: string[] = [];
    const app = createReceiverApp({
      clientSecret: secret,
      log: silentLogger(),
      maxBodyBytes: 1024,
      publish: async (_body, key) => void put.push(key),
    });
    const body = JSON.stringify(
      notificationOf('contact.user.updated', { type: 'contact', id: 'c1', note: 'x'.repeat(2000) }),
    );
    expect((await post(app, body)).status).toBe(413);
    expect(put).toEqual([]);
  });

  it('refuses everything with 401 when no client secret is configured', async () => {
    const app = createReceiverApp({
      clientSecret: undefined,
      log: silentLogger(),
      publish: async () => undefined,
    });
    const body = JSON.stringify(notificationOf('contact.user.updated', { type: 'contact', id: 'c1' }));
    expect((await post(app, body, signBody(body, ''))).status).toBe(401);
  });
});
