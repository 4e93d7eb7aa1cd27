import { ConfigError } from '../../lib/errors';
import { parseExtractArgs } from '../../tasks/extract/extract-args';
import { daysBetween } from '../../lib/days';

describe('extract arguments', () => {
  it('reads the modes, the deletion sweep switch and a backfill range', () => {
    expect(parseExtractArgs([])).toEqual({ mode: 'full' });
    expect(parseExtractArgs([], 'auto')).toEqual({ mode: 'auto' });
    expect(parseExtractArgs(['--mode', 'incremental'])).toEqual({
      mode: 'incremental',
      sweepDeletes: 'auto',
    });
    expect(parseExtractArgs(['--mode', 'incremental', '--deletes'])).toEqual({
      mode: 'incremental',
      sweepDeletes: true,
    });
    expect(parseExtractArgs(['--mode', 'incremental', '--no-deletes'])).toEqual({
      mode: 'incremental',
      sweepDeletes: false,
    });
    expect(parseExtractArgs(['--since', '2026-11-01', '--until', '2026-11-03'])).toEqual({
      mode: 'backfill',
      since: '2026-11-01',
      until: '2026-11-03',
    });
  });

  it.each([
    [['--mode', 'delta'], /--mode is "delta"; use --mode full or --mode incremental/],
    [['--since', '2026-11-01'], /--since and --until go together/],
    [['--since', '2026-11-31', '--until', '2026-12-01'], /"2026-11-31" is not a day: write it as YYYY-MM-DD/],
    [['--since', '2026-12-02', '--until', '2026-12-01'], /--since 2026-12-02 is after --until 2026-12-01/],
    [['--mode', 'full', '--no-deletes'], /--deletes and --no-deletes apply to --mode incremental only/],
    [['--mode', 'incremental', '--deletes', '--no-deletes'], /Give --deletes or --no-deletes, not both/],
    [['--bogus'], /Unknown option '--bogus'.*Usage: npm run extract/],
  ])('refuses %j with a ConfigError that says what to write', (args, message) => {
    const run = () => parseExtractArgs(args);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it('lists the days of a range, both ends included, across a month end', () => {
    expect(daysBetween('2026-11-29', '2026-12-02')).toEqual([
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
    expect(daysBetween('2026-12-01', '2026-12-01')).toEqual(['2026-12-01']);
  });
});
