import { ColumnInference, misfit, toSqlValue, toUtcDatetime } from '../../lib/api/imports/column-types';

function infer(...cells: string[]): string {
  const column = new ColumnInference('c');
  for (const cell of cells) column.add(cell);
  const { type, sqlType } = column.result();
  return `${type} ${sqlType}`;
}

describe('column type inference', () => {
  test.each([
    [['1', '-2', '+3'], 'integer BIGINT'],
    [['9223372036854775807'], 'integer BIGINT'],
    [['9223372036854775808'], 'decimal DECIMAL(19,0)'],
    [['1', '2.50', '-10.125'], 'decimal DECIMAL(5,3)'],
    [['true', 'FALSE', 'True'], 'boolean TINYINT(1)'],
    [['2024-02-29', '1999-12-31'], 'date DATE'],
    [['2024-02-29', '2024-03-01T10:00:00Z'], 'datetime DATETIME(6)'],
    [['2024-03-01T10:00:00+02:00', '2024-03-01 10:00'], 'datetime DATETIME(6)'],
    [['007'], 'text TEXT'],
    [['1', 'x'], 'text TEXT'],
    [['2023-02-29'], 'text TEXT'],
    [['1', 'true'], 'text TEXT'],
    [[], 'text TEXT'],
    [['x'.repeat(70_000)], 'text MEDIUMTEXT'],
  ])('%j is %s', (cells, expected) => {
    expect(infer(...cells)).toBe(expected);
  });
});

describe('datetimes', () => {
  test.each([
    ['2024-01-31T10:00:00Z', '2024-01-31 10:00:00'],
    ['2024-01-01T01:30:00+02:00', '2023-12-31 23:30:00'],
    ['2024-01-01T01:30:00-0130', '2024-01-01 03:00:00'],
    ['2024-01-01T00:00:00.5Z', '2024-01-01 00:00:00.5'],
    ['2024-01-01', '2024-01-01 00:00:00'],
    ['2024-13-01', undefined],
    ['2024-01-01T24:00:00Z', undefined],
    ['2024-01-01T00:00:00.1234567Z', undefined],
  ])('%s is %s in UTC', (cell, expected) => {
    expect(toUtcDatetime(cell)).toBe(expected);
  });
});

describe('cells against an existing column', () => {
  const int = {
    name: 'n',
    type: 'integer' as const,
    sqlType: 'INT',
    limits: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  };
  const dec = {
    name: 'd',
    type: 'decimal' as const,
    sqlType: 'DECIMAL(5,2)',
    limits: { integerDigits: 3, scale: 2 },
  };
  const txt = { name: 't', type: 'text' as const, sqlType: 'VARCHAR(3)', limits: { maxChars: 3 } };
  test('names what does not fit', () => {
    expect(misfit('2147483647', int)).toBeUndefined();
    expect(misfit('2147483648', int)).toMatch(/not an integer from -2147483648 to 2147483647/);
    expect(misfit('999.99', dec)).toBeUndefined();
    expect(misfit('1000', dec)).toMatch(/at most 3 digits before the point/);
    expect(misfit('1.234', dec)).toMatch(/and 2 after/);
    expect(misfit('🚀🚀🚀', txt)).toBeUndefined();
    expect(misfit('abcd', txt)).toMatch(/longer than the column's 3 characters/);
  });

  test('converts booleans, datetimes and empty cells for MySQL', () => {
    expect(toSqlValue('TRUE', { name: 'b', type: 'boolean', sqlType: 'TINYINT(1)' })).toBe(1);
    expect(toSqlValue('false', { name: 'b', type: 'boolean', sqlType: 'TINYINT(1)' })).toBe(0);
    expect(
      toSqlValue('2024-01-01T01:00:00+01:00', { name: 't', type: 'datetime', sqlType: 'DATETIME(6)' }),
    ).toBe('2024-01-01 00:00:00');
    expect(toSqlValue('', { name: 't', type: 'text', sqlType: 'TEXT' })).toBeNull();
  });
});
