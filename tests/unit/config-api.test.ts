import { ConfigError } from '../../lib/errors';
import { loadApiConfig } from '../../lib/config';

const TOKEN = 'a'.repeat(16) + 'b'.repeat(16);

function problemsOf(env: Record<string, string>, runtime?: 'local' | 'lambda'): readonly string[] {
  try {
    loadApiConfig(env, runtime);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadApiConfig', () => {
  test('applies the defaults of the contract', () => {
    const config = loadApiConfig({ API_TOKEN: TOKEN });
    expect(config).toMatchObject({
      port: 8787,
      auth: { kind: 'bearer', token: TOKEN },
      importSchemas: ['intercom_imports'],
      reportUrlExpiresS: 86_400,
      lakeUrl: './lake',
      databaseUrl: 'mysql://root@127.0.0.1:3306/intercom',
    });
    expect(config.monitoring.secrets).toContain(TOKEN);
  });

  test('derives the folder-link key from API_TOKEN, or takes REPORT_LINK_KEY, and never the token itself', () => {
    const derived = loadApiConfig({ API_TOKEN: TOKEN }).reportLinkKey;
    expect(derived?.length).toBe(32);
    expect(derived?.toString('utf8')).not.toContain(TOKEN);
    expect(
      loadApiConfig({ API_TOKEN: TOKEN, REPORT_LINK_KEY: 'k'.repeat(20) }).reportLinkKey?.toString(),
    ).toBe('k'.repeat(20));
  });

  test('reads the port, the import databases and the link expiry', () => {
    expect(
      loadApiConfig({
        API_TOKEN: TOKEN,
        API_PORT: '9000',
        IMPORT_SCHEMAS: 'imports_a, imports_b',
        REPORT_URL_EXPIRES_S: '60',
      }),
    ).toMatchObject({ port: 9000, importSchemas: ['imports_a', 'imports_b'], reportUrlExpiresS: 60 });
  });

  test('lists every problem at once', () => {
    expect(
      problemsOf({
        API_PORT: '70000',
        REPORT_URL_EXPIRES_S: '604801',
        IMPORT_SCHEMAS: 'Bad-Name,intercom',
        REPORT_LINK_KEY: 'short',
      }),
    ).toEqual([
      'API_PORT "70000" is above 65535.',
      expect.stringContaining('API_TOKEN is missing'),
      'REPORT_LINK_KEY must be at least 16 characters.',
      expect.stringContaining('REPORT_URL_EXPIRES_S "604801" is above 604800'),
      expect.stringContaining('IMPORT_SCHEMAS names "Bad-Name"'),
      expect.stringContaining(`IMPORT_SCHEMAS names "intercom", the sync's own database`),
    ]);
  });

  test('refuses a short token', () => {
    expect(problemsOf({ API_TOKEN: 'short' })).toEqual([
      expect.stringContaining('API_TOKEN must be at least 16'),
    ]);
  });

  test('in Lambda trusts IAM, needs no token and takes the database URL from the secret named by ARN', () => {
    const config = loadApiConfig(
      { DATABASE_URL_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' },
      'lambda',
    );
    expect(config.auth).toEqual({ kind: 'iam' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.databaseUrlSecretArn).toBe('arn:aws:secretsmanager:eu-west-1:1:secret:x');
    expect(config.reportLinkKey).toBeUndefined();
  });
});
