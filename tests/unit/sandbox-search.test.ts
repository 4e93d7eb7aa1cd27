import { compileQuery, parseSort, runSearch, SearchQueryError } from '../../sandbox/search';
import type { SearchFields } from '../../sandbox/workspace';

const DAY = 86_400;
const record = (id: string, created: number, updated = created): SearchFields => ({
  id,
  created_at: created,
  updated_at: updated,
});

describe('sandbox search', () => {
  it('matches contact dates by UTC calendar day', () => {
    const noon = 20_000 * DAY + 12 * 3_600;
    const eq = compileQuery({ field: 'created_at', operator: '=', value: noon }, 'calendar-day');
    expect(eq(record('a', 20_000 * DAY))).toBe(true);
    expect(eq(record('a', 20_001 * DAY))).toBe(false);
    const gt = compileQuery({ field: 'created_at', operator: '>', value: String(noon) }, 'calendar-day');
    expect(gt(record('a', noon + 1))).toBe(false);
    expect(gt(record('a', 20_001 * DAY))).toBe(true);
    const lt = compileQuery({ field: 'created_at', operator: '<', value: noon }, 'calendar-day');
    expect(lt(record('a', 20_000 * DAY))).toBe(false);
    expect(lt(record('a', 20_000 * DAY - 1))).toBe(true);
  });

  it('matches conversation dates exactly, with AND, OR and id IN', () => {
    const q = compileQuery(
      {
        operator: 'OR',
        value: [
          { field: 'id', operator: 'IN', value: ['7', '8'] },
          {
            operator: 'AND',
            value: [
              { field: 'updated_at', operator: '>', value: 100 },
              { field: 'updated_at', operator: '<', value: 200 },
            ],
          },
        ],
      },
      'exact',
    );
    expect(q(record('7', 0))).toBe(true);
    expect(q(record('1', 0, 150))).toBe(true);
    expect(q(record('1', 0, 100))).toBe(false);
    expect(q(record('1', 0, 200))).toBe(false);
  });

  it('rejects unsupported fields, operators and shapes', () => {
    expect(() => compileQuery({ field: 'email', operator: '=', value: 'x' }, 'exact')).toThrow(
      SearchQueryError,
    );
    expect(() => compileQuery({ field: 'created_at', operator: '>=', value: 1 }, 'calendar-day')).toThrow(
      SearchQueryError,
    );
    expect(() => compileQuery({ field: 'created_at', operator: '>', value: 'soon' }, 'exact')).toThrow(
      SearchQueryError,
    );
    expect(() => compileQuery({ operator: 'AND', value: [] }, 'exact')).toThrow(SearchQueryError);
    expect(() => compileQuery('x', 'exact')).toThrow(SearchQueryError);
    expect(() => parseSort({ field: 'name' })).toThrow(SearchQueryError);
  });

  it('returns matching indexes in list order, or sorted with ties in list order', () => {
    const rows = [record('a', 5), record('b', 1), record('c', 5), record('d', 3)];
    const all = compileQuery({ field: 'created_at', operator: '>', value: 0 }, 'exact');
    expect([...runSearch(rows.length, (i) => rows[i] ?? record('?', 0), all, undefined)]).toEqual([
      0, 1, 2, 3,
    ]);
    const asc = runSearch(rows.length, (i) => rows[i] ?? record('?', 0), all, {
      field: 'created_at',
      order: 'ascending',
    });
    expect([...asc]).toEqual([1, 3, 0, 2]);
    const desc = runSearch(rows.length, (i) => rows[i] ?? record('?', 0), all, {
      field: 'created_at',
      order: 'descending',
    });
    expect([...desc]).toEqual([0, 2, 3, 1]);
  });
});
