import {
  ListShardsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  CreateStreamCommand,
  DescribeStreamCommand,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { createKinesisClient } from '../../lib/events/kinesis';
import { signBody } from '../../lib/events/signature';
import type { KinesisEvent } from '../../lib/events/kinesis-batch';
import { runLoad } from '../../tasks/load/run-load';
import { startKinesalite, type LocalKinesis } from '../../tasks/stream/kinesalite';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { notificationOf } from '../../sandbox/webhooks';
import { createArrayWorkspace } from '../helpers/array-workspace';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../helpers/database';
import { fixtureContact, writeFixtureLake } from '../helpers/fixture-lake';

// Only Secrets Manager is mocked (nothing runs it here); Kinesis is a real kinesalite, Intercom the
// sandbox over HTTP, the warehouse MariaDB.
type SecretsModule = typeof import('@aws-sdk/client-secrets-manager');

/**
 * The handler module loaded afresh (it builds its clients once per container, as in Lambda), with
 * the Secrets Manager client of that same module registry mocked to answer `values` by ARN.
 */
function loadHandler<T extends object>(
  path: string,
  values: Record<string, string>,
): { handler: T; calls: () => string[] } {
  let loaded: T | undefined;
  let calls: () => string[] = () => [];
  jest.isolateModules(() => {
    const sm = jest.requireActual<SecretsModule>('@aws-sdk/client-secrets-manager');
    const mock = mockClient(sm.SecretsManagerClient);
    for (const [arn, value] of Object.entries(values)) {
      mock.on(sm.GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: value });
    }
    calls = () =>
      mock.commandCalls(sm.GetSecretValueCommand).map((call) => String(call.args[0].input.SecretId));
    loaded = jest.requireActual<T>(path);
  });
  return {
    handler: loaded as T,
    calls: () => calls(),
  };
}
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:intercom-client-secret-AbCdEf';
const TOKEN_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:intercom-access-token-AbCdEf';
const DB_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:database-url-AbCdEf';
const CLIENT_SECRET = 'handler-test-secret';

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

/** A Lambda Function URL event (payload 2.0) for a POST of `body`. */
function functionUrlEvent(body: string, headers: Record<string, string>, method = 'POST') {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/webhooks/intercom',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      http: {
        method,
        path: '/webhooks/intercom',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'intercom',
      },
    },
    body,
    isBase64Encoded: false,
  };
}

describe('handlers/webhook (Function URL) puts signed notifications on Kinesis', () => {
  let kinesis: LocalKinesis;
  beforeEach(async () => {
    kinesis = await startKinesalite();
  });
  afterEach(async () => {
    await kinesis.close();
  });

  it('reads the client secret from Secrets Manager once, answers 401 to a bad signature and 200 to a good one, keyed by item id', async () => {
    const client = createKinesisClient({ endpoint: kinesis.endpoint });
    await client.send(new CreateStreamCommand({ StreamName: 'events-test', ShardCount: 1 }));
    while (
      (await client.send(new DescribeStreamCommand({ StreamName: 'events-test' }))).StreamDescription
        ?.StreamStatus !== 'ACTIVE'
    );
    process.env = {
      ...savedEnv,
      INTERCOM_CLIENT_SECRET_ARN: SECRET_ARN,
      EVENTS_STREAM_NAME: 'events-test',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      LOG_LEVEL: 'silent',
    };
    const { handler: webhook, calls } = loadHandler<typeof import('../../handlers/webhook')>(
      '../../handlers/webhook',
      {
        [SECRET_ARN]: CLIENT_SECRET,
      },
    );
    const body = JSON.stringify(notificationOf('contact.user.updated', { type: 'contact', id: 'c-77' }));

    const refused = await webhook.handler(
      functionUrlEvent(body, { 'x-hub-signature': signBody(body, 'wrong') }) as never,
    );
    const accepted = await webhook.handler(
      functionUrlEvent(body, { 'x-hub-signature': signBody(body, CLIENT_SECRET) }) as never,
    );
    const head = await webhook.handler(functionUrlEvent('', {}, 'HEAD') as never);

    expect([refused.statusCode, accepted.statusCode, head.statusCode]).toEqual([401, 200, 200]);
    expect(calls()).toEqual([SECRET_ARN]);
    const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: 'events-test' }));
    const iterator = await client.send(
      new GetShardIteratorCommand({
        StreamName: 'events-test',
        ShardId: Shards[0]?.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await client.send(
      new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }),
    );
    expect(Records.map((r) => [r.PartitionKey, Buffer.from(r.Data ?? []).toString('utf8')])).toEqual([
      ['c-77', `${body}\n`],
    ]);
    client.destroy();
  });
});

describe('handlers/stream-apply (Kinesis event source)', () => {
  let sandbox: Sandbox;
  let db: TestDatabase;
  const contact = fixtureContact(5);
  beforeEach(async () => {
    sandbox = await startSandbox({
      workspace: createArrayWorkspace({ contacts: [{ contact }], conversations: [] }),
    });
    db = await createTestDatabase();
    // The warehouse's tables come from the load's migration.
    const lake = await writeFixtureLake({ users: [], conversations: [] });
    await runLoad({ store: lake.store, databaseUrl: db.url, progress: false });
    await lake.remove();
  });
  afterEach(async () => {
    await sandbox.close();
    await db.drop();
  });

  it('reads its token and database from Secrets Manager, applies the batch and reports no failure; a replay is a no-op', async () => {
    process.env = {
      ...savedEnv,
      INTERCOM_ACCESS_TOKEN_ARN: TOKEN_ARN,
      DATABASE_URL_ARN: DB_ARN,
      INTERCOM_API_URL: sandbox.url,
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'silent',
    };
    const { handler: streamApply, calls } = loadHandler<typeof import('../../handlers/stream-apply')>(
      '../../handlers/stream-apply',
      { [TOKEN_ARN]: sandbox.token, [DB_ARN]: db.url },
    );
    const notification = notificationOf('contact.user.updated', { type: 'contact', id: contact.id });
    const event: KinesisEvent = {
      Records: [
        {
          kinesis: {
            data: Buffer.from(JSON.stringify(notification)).toString('base64'),
            sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
            approximateArrivalTimestamp: Date.now() / 1000,
          },
        },
      ],
    };

    try {
      expect(await streamApply.handler(event)).toEqual({ batchItemFailures: [] });
      expect(await streamApply.handler(event)).toEqual({ batchItemFailures: [] });
    } finally {
      await streamApply.close();
    }

    expect(await queryDatabase(db.url, 'SELECT id, name FROM users')).toEqual([
      { id: contact.id, name: contact.name },
    ]);
    expect(await queryDatabase(db.url, 'SELECT id, topic FROM webhook_event')).toEqual([
      { id: notification.id, topic: 'contact.user.updated' },
    ]);
    expect(sandbox.stats.byRoute['GET /contacts/{id}']).toBe(1);
    expect(calls().sort()).toEqual([DB_ARN, TOKEN_ARN].sort());
  });
});
