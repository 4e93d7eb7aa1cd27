import { ConfigError } from '../../lib/errors';
import { parseSandboxArgs } from '../../sandbox/cli-options';

describe('parseSandboxArgs', () => {
  it('applies defaults when given nothing', () => {
    const { options, help } = parseSandboxArgs([]);
    expect(help).toBe(false);
    expect(options).toMatchObject({
      port: 4010,
      includeQuirks: true,
      latencyMs: 0,
      rateLimitPerWindow: null,
    });
  });

  it('reads flags, and SANDBOX_* variables where no flag is given', () => {
    const { options } = parseSandboxArgs(
      [
        '--contacts',
        '1000',
        '--rate-limit',
        '1666',
        '--latency-ms',
        '80',
        '--latency-tail-ms',
        '900',
        '--fault-5xx',
        '0.02',
        '--no-quirks',
      ],
      {
        SANDBOX_CONTACTS: '5',
        SANDBOX_SEED: '7',
        SANDBOX_MALFORMED_EVERY: '10',
        SANDBOX_REPEAT_ACROSS_PAGES: 'true',
      },
    );
    expect(options).toMatchObject({
      contacts: 1000,
      seed: 7,
      includeQuirks: false,
      rateLimitPerWindow: 1666,
      latencyMs: { medianMs: 80, slowTailMs: 900 },
      faults: { rate5xx: 0.02, malformedEvery: 10, repeatAcrossPages: true },
    });
  });

  it('reads the sizes of the other streams, the scroll options and the scroll fault', () => {
    const { options } = parseSandboxArgs(
      ['--admins', '3', '--teams', '0', '--companies', '500', '--tickets', '90', '--scroll-idle-ms', '250'],
      {
        SANDBOX_TAGS: '12',
        SANDBOX_SEGMENTS: '2',
        SANDBOX_SCROLL_PAGE_SIZE: '20',
        SANDBOX_FAULT_SCROLL_500_AFTER: '4',
      },
    );
    expect(options).toMatchObject({
      admins: 3,
      teams: 0,
      tags: 12,
      companies: 500,
      segments: 2,
      tickets: 90,
      scrollIdleMs: 250,
      scrollPageSize: 20,
      faults: { scrollFailAfterPages: 4 },
    });
    expect(() => parseSandboxArgs(['--admins', '0'])).toThrow(ConfigError);
  });

  it('lists every bad value in one ConfigError', () => {
    try {
      parseSandboxArgs(['--port', '70000', '--fault-429', '2', '--contacts=-3']);
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(3);
    }
    expect(() => parseSandboxArgs(['--bogus'])).toThrow(ConfigError);
  });
});
