import { parseArgs } from 'node:util';
import { ConfigError } from '../../lib/errors';

const USAGE =
  'Usage: npm run refine -- <job> [--input URL] [--output URL] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--engine duckdb|athena]';

/** The arguments of `npm run refine`. */
export interface RefineArgs {
  job: string;
  input: string | undefined;
  output: string | undefined;
  since: string | undefined;
  until: string | undefined;
  engine: 'duckdb' | 'athena';
}

/**
 * Parse `npm run refine`'s arguments.
 * @throws ConfigError naming what is wrong, with the usage line.
 */
export function parseRefineArgs(args: readonly string[]): RefineArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new ConfigError([`${(error as Error).message}. ${USAGE}`], { cause: error });
  }
  const { values, positionals } = parsed;
  const problems: string[] = [];
  if (positionals.length !== 1) problems.push(`Name exactly one job. ${USAGE}`);
  for (const name of ['since', 'until'] as const) {
    const day = values[name];
    if (
      day !== undefined &&
      (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
    ) {
      problems.push(`--${name} "${day}" is not a day such as 2026-11-30.`);
    }
  }
  if (values.since && values.until && values.since > values.until) {
    problems.push(`--since ${values.since} is after --until ${values.until}.`);
  }
  const engine = values.engine ?? 'duckdb';
  if (engine !== 'duckdb' && engine !== 'athena')
    problems.push(`--engine is "${engine}"; use duckdb or athena.`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    job: positionals[0]!,
    input: values.input,
    output: values.output,
    since: values.since,
    until: values.until,
    engine: engine as 'duckdb' | 'athena',
  };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      input: { type: 'string' },
      output: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      engine: { type: 'string' },
    },
  });
}
