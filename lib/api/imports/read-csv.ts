import { createReadStream } from 'node:fs';
import { parse, CsvError } from 'csv-parse';
import { ApiError } from '../api-error';

/** One CSV record and its number in the file (the header is 1). */
export interface CsvRecord {
  row: number;
  cells: string[];
}

/**
 * The records of a CSV file, header first, streamed with csv-parse: RFC 4180 quoting (quoted
 * commas, doubled quotes, line breaks inside quotes), a UTF-8 byte-order mark dropped, blank lines
 * skipped. Rows of any length are passed on; the caller checks them against the header.
 *
 * @throws ApiError 422 naming the record when the file is not valid CSV (an unclosed quote).
 */
export async function* readCsv(file: string): AsyncGenerator<CsvRecord> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true }),
  );
  let row = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      row += 1;
      yield { row, cells };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const at = row + 1;
      throw new ApiError(422, `The CSV is malformed at record ${at}: ${error.message}`, {
        cause: error,
        rowErrors: [{ row: at, column: null, message: `not valid CSV: ${error.message}` }],
      });
    }
    throw error;
  } finally {
    parser.destroy();
  }
}
