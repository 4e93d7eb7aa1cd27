import { quoteId, type TableShape } from './rows';

/**
 * `INSERT INTO table (cols) VALUES ` and, for an upsert, the ` ON DUPLICATE KEY UPDATE …` tail that
 * sets every non-key column from the new row: the statement the upsert load and the webhook
 * consumer both write rows with, so a row written by either is the same row.
 *
 * VALUES(col) is deprecated in MySQL 8.0.20+ but still works, and it is the form MariaDB
 * understands; the `AS new` alias MySQL prefers is a syntax error on MariaDB.
 */
export function insertStatementParts(
  tableName: string,
  shape: TableShape,
  upsert: boolean,
): { head: string; tail: string } {
  const head = `INSERT INTO ${quoteId(tableName)} (${shape.columns.map(quoteId).join(',')}) VALUES `;
  if (!upsert) return { head, tail: '' };
  const updates = shape.columns.filter((c) => !shape.primaryKey.includes(c));
  const first = quoteId(shape.primaryKey[0] as string);
  const tail =
    updates.length === 0
      ? ` ON DUPLICATE KEY UPDATE ${first} = ${first}`
      : ` ON DUPLICATE KEY UPDATE ${updates.map((c) => `${quoteId(c)} = VALUES(${quoteId(c)})`).join(',')}`;
  return { head, tail };
}
