import { users } from '../../drizzle/schema';
import { tableShape, toTuple } from '../../lib/warehouse/rows';

describe('toTuple', () => {
  it('renders a row in the table’s column order with NULL, 1/0 and numbers', () => {
    const shape = tableShape(users, ['id']);
    const row = Object.fromEntries(shape.keys.map((k) => [k, null])) as Record<string, null | string>;
    row.id = 'a1';
    row.email = "o'brien@example.com";
    const tuple = toTuple(shape, row);
    expect(shape.columns[0]).toBe('id');
    expect(tuple.startsWith(`('a1',NULL,NULL,'o\\'brien@example.com'`)).toBe(true);
    expect(tuple.split(',')).toHaveLength(shape.columns.length);
  });

  it('escapes quotes, backslashes, NUL, Ctrl-Z and line breaks as mysql2 does for a ? parameter', () => {
    const shape = tableShape(users, ['id']);
    const row = Object.fromEntries(shape.keys.map((k) => [k, null])) as Record<string, null | string>;
    row.id = `it's \\ "json"\n\0\x1a 🚀`;
    expect(toTuple(shape, row).startsWith(`('it\\'s \\\\ \\"json\\"\\n\\0\\Z 🚀',NULL,`)).toBe(true);
  });
});
