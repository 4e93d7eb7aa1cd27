import { parseArgs } from 'node:util';
import { ConfigError } from '../lib/errors';
import type { SandboxOptions } from './server';

/** Flags of `npm run sandbox`; each also reads `SANDBOX_<NAME>` (upper snake case) from the environment. */
const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  seed: { type: 'string' },
  contacts: { type: 'string' },
  conversations: { type: 'string' },
  admins: { type: 'string' },
  teams: { type: 'string' },
  tags: { type: 'string' },
  companies: { type: 'string' },
  segments: { type: 'string' },
  tickets: { type: 'string' },
  'scroll-idle-ms': { type: 'string' },
  'scroll-page-size': { type: 'string' },
  'fault-scroll-500-after': { type: 'string' },
  'no-quirks': { type: 'boolean' },
  token: { type: 'string' },
  'latency-ms': { type: 'string' },
  'latency-tail-ms': { type: 'string' },
  'latency-tail-fraction': { type: 'string' },
  'rate-limit': { type: 'string' },
  'window-ms': { type: 'string' },
  'fault-429': { type: 'string' },
  'fault-5xx': { type: 'string' },
  'fault-reset': { type: 'string' },
  'fault-slow': { type: 'string' },
  'slow-ms': { type: 'string' },
  'malformed-every': { type: 'string' },
  'repeat-across-pages': { type: 'boolean' },
  'webhooks-to': { type: 'string' },
  'webhooks-secret': { type: 'string' },
  'webhooks-every-ms': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Usage text for `--help`. */
export const SANDBOX_USAGE = `Usage: npm run sandbox -- [flags]   (each flag also reads SANDBOX_<FLAG> from the environment)
  --port N                  listen port (default 4010; 0 = random)      --host H (default 127.0.0.1)
  --seed N                  data seed (default 1)
  --contacts N              generated contacts (default 200)            --conversations N (default 120)
  --admins N (default 8, at least 1)   --teams N (default 4)   --tags N (default 40)
  --companies N (default 60)           --segments N (default 6)   --tickets N (default 40)
  --scroll-idle-ms N        a company scroll unused this long expires (default 60000)
  --scroll-page-size N      companies per scroll page (default 50)
  --no-quirks               leave out the 3+3 quirk records (sandbox/quirk-records.ts)
  --token T                 accepted bearer token (default: random, printed)
  --latency-ms N            median latency per answer (default 0)
  --latency-tail-ms N       latency of the slow tail                    --latency-tail-fraction F (default 0.01)
  --rate-limit N            calls per window (default none; Intercom: 1666)   --window-ms N (default 10000)
  --fault-429 F  --fault-5xx F  --fault-reset F  --fault-slow F  --slow-ms N
  --malformed-every N       every Nth list page gets a truncated body   --repeat-across-pages
  --fault-scroll-500-after N  the first company scroll that served N pages gets a 500 and must restart
  --webhooks-to URL         send a signed notification for every change of the workspace to URL
                            (npm run stream's http://127.0.0.1:8788/webhooks/intercom)
  --webhooks-secret S       the client secret to sign with: the receiver's INTERCOM_CLIENT_SECRET (required with --webhooks-to)
  --webhooks-every-ms N     change one contact or conversation this often (default 1000; 0 = never)`;

function envName(flag: string): string {
  return `SANDBOX_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** Where the sandbox sends webhooks for its changes (`--webhooks-to`). */
export interface SandboxWebhookOptions {
  url: string;
  secret: string;
  everyMs: number;
}

/**
 * Parse flags and `SANDBOX_*` environment variables (flags win) into sandbox options.
 *
 * @throws ConfigError listing every value that is not a number in range or an unknown flag, and
 *   `--webhooks-to` without a URL or without `--webhooks-secret`.
 */
export function parseSandboxArgs(
  argv: string[],
  env: Record<string, string | undefined> = {},
): { options: SandboxOptions; help: boolean; webhooks?: SandboxWebhookOptions } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError([`${error instanceof Error ? error.message : String(error)}. Run with --help.`], {
      cause: error,
    });
  }
  const problems: string[] = [];
  const raw = (flag: keyof typeof FLAGS): string | boolean | undefined => values[flag] ?? env[envName(flag)];
  const num = (flag: keyof typeof FLAGS, opts: { min?: number; max?: number; integer?: boolean } = {}) => {
    const v = raw(flag);
    if (v === undefined || typeof v === 'boolean' || v.trim() === '') return undefined;
    const n = Number(v);
    const { min = 0, max = Number.MAX_SAFE_INTEGER, integer = true } = opts;
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      problems.push(
        `--${flag} (${envName(flag)}) must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}; got "${v}".`,
      );
      return undefined;
    }
    return n;
  };
  const flag = (name: keyof typeof FLAGS): boolean => {
    const v = raw(name);
    return v === true || v === '1' || v === 'true';
  };
  const fraction = (name: keyof typeof FLAGS) => num(name, { max: 1, integer: false });

  const medianMs = num('latency-ms');
  const tailMs = num('latency-tail-ms');
  const tailFraction = fraction('latency-tail-fraction');
  const token = raw('token');
  const host = raw('host');
  const options: SandboxOptions = {
    port: num('port', { max: 65_535 }) ?? 4010,
    host: typeof host === 'string' ? host : undefined,
    seed: num('seed', { max: 0xffffffff }),
    contacts: num('contacts'),
    conversations: num('conversations'),
    admins: num('admins', { min: 1 }),
    teams: num('teams'),
    tags: num('tags'),
    companies: num('companies'),
    segments: num('segments'),
    tickets: num('tickets'),
    scrollIdleMs: num('scroll-idle-ms', { min: 1 }),
    scrollPageSize: num('scroll-page-size', { min: 1 }),
    includeQuirks: !flag('no-quirks'),
    token: typeof token === 'string' && token ? token : undefined,
    latencyMs:
      tailMs !== undefined
        ? { medianMs: medianMs ?? 0, slowTailMs: tailMs, slowFraction: tailFraction }
        : (medianMs ?? 0),
    rateLimitPerWindow: num('rate-limit', { min: 1 }) ?? null,
    windowMs: num('window-ms', { min: 1 }),
    faults: {
      rate429: fraction('fault-429'),
      rate5xx: fraction('fault-5xx'),
      rateReset: fraction('fault-reset'),
      rateSlow: fraction('fault-slow'),
      slowMs: num('slow-ms'),
      malformedEvery: num('malformed-every'),
      repeatAcrossPages: flag('repeat-across-pages'),
      scrollFailAfterPages: num('fault-scroll-500-after'),
    },
  };
  const webhooksTo = raw('webhooks-to');
  const webhooksSecret = raw('webhooks-secret');
  const everyMs = num('webhooks-every-ms');
  let webhooks: SandboxWebhookOptions | undefined;
  if (typeof webhooksTo === 'string' && webhooksTo) {
    if (!/^https?:\/\/[^\s]+$/.test(webhooksTo)) {
      problems.push(`--webhooks-to (${envName('webhooks-to')}) must be an http(s) URL; got "${webhooksTo}".`);
    }
    if (typeof webhooksSecret !== 'string' || !webhooksSecret) {
      problems.push(
        `--webhooks-to needs --webhooks-secret (${envName('webhooks-secret')}): the client secret the receiver checks (its INTERCOM_CLIENT_SECRET).`,
      );
    } else {
      webhooks = { url: webhooksTo, secret: webhooksSecret, everyMs: everyMs ?? 1000 };
      options.live = true;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { options, help: flag('help'), ...(webhooks && { webhooks }) };
}
