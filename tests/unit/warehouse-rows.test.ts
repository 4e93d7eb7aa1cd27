import { users } from '../../drizzle/schema';
import { quoteString, tableShape, toTuple } from '../../lib/warehouse/rows';

describe('quoteString', () => {
  it('escapes only NUL, backslash, single quote and Ctrl-Z', () => {
    expect(quoteString('plain "json" text\nline two')).toBe(`'plain "json" text\nline two'`);
    expect(quoteString(`it's a \\ path\0end\x1a`)).toBe(`'it\\'s a \\\\ path\\0end\\Z'`);
    expect(quoteString('🚀')).toBe(`'🚀'`);
  });
});

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
});
