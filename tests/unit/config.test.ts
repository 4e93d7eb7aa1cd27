import { ConfigError } from '../../lib/errors';
import { DEFAULTS, loadConfig } from '../../lib/config';

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
