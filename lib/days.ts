/** Calendar days as `YYYY-MM-DD` (UTC): the unit of backfills and of the lake's day folders. */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Whether `day` is a real `YYYY-MM-DD` date (2026-11-31 is not). */
export function isDay(day: string): boolean {
  const t = Date.parse(`${day}T00:00:00Z`);
  // The round trip refuses days a month lacks, which Date.parse may roll over.
  return DAY.test(day) && !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === day;
}

/** @throws Error when `day` is not a `YYYY-MM-DD` date. */
export function assertDay(day: string): void {
  if (!isDay(day)) throw new Error(`"${day}" is not a day such as 2026-12-02 (YYYY-MM-DD)`);
}

/**
 * The days from `since` to `until`, both included.
 * @throws Error when either is not a day, or `since` is after `until`.
 */
export function daysBetween(since: string, until: string): string[] {
  assertDay(since);
  assertDay(until);
  const days: string[] = [];
  for (let t = Date.parse(`${since}T00:00:00Z`); t <= Date.parse(`${until}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  if (days.length === 0) throw new Error(`--since ${since} is after --until ${until}`);
  return days;
}
