import { reportKey } from '../../lib/lake/keys';
import { REPORTS, reportNamed } from '../../lib/reports/registry';

describe('report declarations', () => {
  test.each(REPORTS.map((r) => [r.name, r] as const))('%s is well formed', (name, report) => {
    expect(reportNamed(name)).toBe(report);
    expect(() => reportKey(name, '20261202T221500123Z')).not.toThrow();
    expect(report.description.length).toBeGreaterThan(20);
    expect(report.columns.length).toBeGreaterThan(0);
    const sample = Object.fromEntries(
      report.params.map((p) => [p.name, p.type === 'integer' ? (p.minimum ?? 1) : 'x']),
    );
    const placeholders = report.sql.match(/\?/g) ?? [];
    expect(report.values(sample)).toHaveLength(placeholders.length);
    // Values are bound, never spliced: no template literal or quote in the SQL.
    expect(report.sql).not.toMatch(/\$\{|'/);
  });

  test('names are unique', () => {
    expect(new Set(REPORTS.map((r) => r.name)).size).toBe(REPORTS.length);
  });

  test('the yearly reports bound created_at to [year, year + 1) in UTC', () => {
    expect(reportNamed('teams-above-mean')?.values({ year: 2025 })).toEqual([
      '2025-01-01 00:00:00',
      '2026-01-01 00:00:00',
    ]);
  });
});
