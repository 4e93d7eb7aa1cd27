/**
 * Rows as the loader writes them: one SQL value per column of a Drizzle table, in the table's
 * column order, rendered once into a `(...)` tuple so a batch knows its exact size in bytes.
 */
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import { escape } from 'mysql2';

import type { SqlValue } from '../streams/types';

export type { RowOf, SqlValue } from '../streams/types';

/** The columns of a table in order, with their SQL names. */
export interface TableShape {
  /** SQL table name (`conversation_part`). */
  name: string;
  /** TypeScript keys of the row, in column order. */
  keys: string[];
  /** SQL column names, in the same order. */
  columns: string[];
  /** SQL column names of the primary key. */
  primaryKey: string[];
}

/**
 * The shape of `table`, leaving out `omit` (such as an auto-increment id).
 * @param primaryKey the SQL names of the key columns (Drizzle keeps composite keys in table config).
 */
export function tableShape(table: MySqlTable, primaryKey: string[], omit: string[] = []): TableShape {
  const entries = Object.entries(getTableColumns(table)).filter(([key]) => !omit.includes(key));
  return {
    name: getTableName(table),
    keys: entries.map(([key]) => key),
    columns: entries.map(([, column]) => column.name),
    primaryKey,
  };
}

/** Quote an identifier (table or column) for MySQL. */
export function quoteId(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * `row` as a SQL tuple `('a',1,NULL)` in the column order of `shape`, each value escaped by
 * mysql2's own `escape` (the escaping `connection.query(sql, values)` applies to `?`), so the loader
 * sends exactly what a parameterised query would, rendered once so a batch knows its size.
 */
export function toTuple(shape: TableShape, row: Record<string, SqlValue>): string {
  let out = '(';
  for (let i = 0; i < shape.keys.length; i++) {
    const value = row[shape.keys[i] as string];
    if (i > 0) out += ',';
    out += value === undefined ? 'NULL' : escape(value);
  }
  return out + ')';
}
