import { parseArgs } from 'node:util';
import { ConfigError } from '../../lib/errors';
import { assertDay } from '../../lib/lake/keys';

/** What `npm run extract -- …` asks for. */
export type ExtractRequest =
  | { mode: 'full' }
  | { mode: 'incremental'; sweepDeletes: boolean | 'auto' }
  | { mode: 'backfill'; since: string; until: string }
  /** `npm start` without `--mode`: incremental when the lake holds a full copy, full otherwise. */
  | { mode: 'auto' };

const USAGE =
  'Usage: npm run extract -- [--mode full|incremental] [--deletes|--no-deletes] | [--since YYYY-MM-DD --until YYYY-MM-DD]';

/**
 * Read the extract's arguments: `--mode full|incremental`, `--deletes` / `--no-deletes` (an
 * incremental run always / never sweeps ids for deletions; by default it does when that is cheap),
 * `--since`/`--until` (a backfill of those days, UTC, both included).
 * @throws ConfigError naming what is wrong and the usage.
 */
export function parseExtractArgs(args: string[], defaultMode: 'full' | 'auto' = 'full'): ExtractRequest {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        mode: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        deletes: { type: 'boolean' },
        'no-deletes': { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new ConfigError([`${(error as Error).message}. ${USAGE}`], { cause: error });
  }
  const problems: string[] = [];
  if (values.since !== undefined || values.until !== undefined) {
    if (values.since === undefined || values.until === undefined)
      problems.push(`--since and --until go together. ${USAGE}`);
    for (const day of [values.since, values.until]) {
      if (day === undefined) continue;
      try {
        assertDay(day);
      } catch {
        problems.push(`"${day}" is not a day: write it as YYYY-MM-DD (UTC), e.g. 2026-12-01.`);
      }
    }
    if (values.mode !== undefined)
      problems.push(`--since/--until run a backfill; leave out --mode. ${USAGE}`);
    if (problems.length === 0 && (values.since as string) > (values.until as string)) {
      problems.push(`--since ${values.since} is after --until ${values.until}.`);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return { mode: 'backfill', since: values.since as string, until: values.until as string };
  }
  const mode = values.mode ?? defaultMode;
  if (values.deletes && values['no-deletes']) {
    throw new ConfigError([`Give --deletes or --no-deletes, not both. ${USAGE}`]);
  }
  const deletes = values.deletes ? true : values['no-deletes'] ? false : 'auto';
  if (mode === 'incremental') return { mode, sweepDeletes: deletes };
  if (mode === 'full' || mode === 'auto') {
    if (deletes !== 'auto') {
      throw new ConfigError([`--deletes and --no-deletes apply to --mode incremental only. ${USAGE}`]);
    }
    return { mode };
  }
  throw new ConfigError([`--mode is "${mode}"; use --mode full or --mode incremental. ${USAGE}`]);
}
