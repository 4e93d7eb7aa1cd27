import { loadApiConfig } from '../../lib/config';
import { queryDatabase, queryServer } from '../helpers/database';
import { startTestApi, type TestApi } from '../helpers/api';

const TYPED_CSV = [
  'id,amount,active,day,at,name,note',
  '1,10.50,true,2024-01-31,2024-01-31T10:00:00Z,"Smith, Jo","line one',
  'line two"',
  '2,-3.25,FALSE,2024-02-29,2024-02-29T23:30:00+02:00,Zoë 🚀,',
  '3,,true,,2024-03-01T00:00:00.123456Z,"He said ""hi""",=SUM(A1)',
  '',
].join('\r\n');

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('folder');
});
afterAll(async () => {
  await api.close();
});

function importCsv(query: string, csv: string): ReturnType<TestApi['request']> {
  return api.request('POST', `/imports?${query}`, { body: csv, headers: { 'content-type': 'text/csv' } });
}

async function rowsOf(table: string, orderBy = '1'): Promise<Record<string, unknown>[]> {
  return queryDatabase(api.db.url, `SELECT * FROM \`${api.importSchema}\`.\`${table}\` ORDER BY ${orderBy}`);
}

async function tableExists(table: string): Promise<boolean> {
  const rows = await queryServer(
    'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [api.importSchema, table],
  );
  return rows.length > 0;
}

test('a typed CSV with quoted, multi-line, emoji and empty cells is imported into the default import database', async () => {
  const answer = await importCsv('table=typed', TYPED_CSV);
  expect(answer.status).toBe(201);
  expect(answer.body).toEqual({
    schema: api.importSchema,
    table: 'typed',
    rows: 3,
    mode: 'replace',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'amount', type: 'decimal' },
      { name: 'active', type: 'boolean' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'datetime' },
      { name: 'name', type: 'text' },
      { name: 'note', type: 'text' },
    ],
  });
  expect(await rowsOf('typed')).toEqual([
    {
      id: 1,
      amount: '10.50',
      active: 1,
      day: '2024-01-31',
      at: '2024-01-31 10:00:00.000000',
      name: 'Smith, Jo',
      note: 'line one\r\nline two',
    },
    {
      id: 2,
      amount: '-3.25',
      active: 0,
      day: '2024-02-29',
      at: '2024-02-29 21:30:00.000000',
      name: 'Zoë 🚀',
      note: null,
    },
    {
      id: 3,
      amount: null,
      active: 1,
      day: null,
      at: '2024-03-01 00:00:00.123456',
      name: 'He said "hi"',
      note: '=SUM(A1)',
    },
  ]);
});

test('append=false replaces the table whole, columns and rows', async () => {
  await importCsv('table=swap', 'a,b\n1,x\n2,y\n');
  const answer = await importCsv('table=swap&append=false', 'c\n2024-05-01\n');
  expect(answer.status).toBe(201);
  expect(answer.body).toMatchObject({ mode: 'replace', rows: 1, columns: [{ name: 'c', type: 'date' }] });
  expect(await rowsOf('swap')).toEqual([{ c: '2024-05-01' }]);
  const leftovers = await queryServer(
    'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [api.importSchema],
  );
  expect(leftovers.map((r) => r.TABLE_NAME).filter((name) => String(name).startsWith('_import_'))).toEqual(
    [],
  );
});

test('append=true adds rows to the existing table and answers with its column types', async () => {
  await importCsv('table=grow', 'id,label\n1,one\n');
  // Columns in another order than the table's: matched by name.
  const answer = await importCsv('table=grow&append=true', 'label,id\ntwo,2\n,3\n');
  expect(answer.status).toBe(201);
  expect(answer.body).toEqual({
    schema: api.importSchema,
    table: 'grow',
    rows: 2,
    mode: 'append',
    columns: [
      { name: 'label', type: 'text' },
      { name: 'id', type: 'integer' },
    ],
  });
  expect(await rowsOf('grow')).toEqual([
    { id: 1, label: 'one' },
    { id: 2, label: 'two' },
    { id: 3, label: null },
  ]);
});

test('append=true to a table that does not exist yet creates it', async () => {
  const answer = await importCsv('table=fresh&append=true', 'n\n7\n');
  expect(answer.status).toBe(201);
  expect(answer.body).toMatchObject({ mode: 'append', rows: 1 });
  expect(await rowsOf('fresh')).toEqual([{ n: 7 }]);
});

test('an append with a wrong type is 422 naming row and column, and writes nothing', async () => {
  await importCsv('table=strict', 'id,day\n1,2024-01-01\n');
  const answer = await importCsv(
    'table=strict&append=true',
    'id,day\n2,2024-01-02\nthree,2024-01-03\n4,not a day\n',
  );
  expect(answer.status).toBe(422);
  expect(answer.body).toEqual({
    errors: [
      { row: 3, column: 'id', message: expect.stringContaining('"three" is not an integer') },
      { row: 4, column: 'day', message: expect.stringContaining('is not a date') },
    ],
  });
  expect(await rowsOf('strict')).toEqual([{ id: 1, day: '2024-01-01' }]);
});

test('an append to a table someone made by hand honours its NOT NULL and refuses columns imports cannot fill (BLOB)', async () => {
  await queryServer(`CREATE DATABASE IF NOT EXISTS \`${api.importSchema}\``);
  await queryServer(`CREATE TABLE \`${api.importSchema}\`.hand_made (code VARCHAR(8) NOT NULL, note TEXT)`);
  await queryServer(`CREATE TABLE \`${api.importSchema}\`.with_json (id INT, doc BLOB)`);
  const empty = await importCsv('table=hand_made&append=true', 'code,note\nA1,x\n,y\n');
  expect(empty.status).toBe(422);
  expect(empty.body).toEqual({
    errors: [{ row: 3, column: 'code', message: 'the cell is empty, but the column refuses NULL' }],
  });
  const json = await importCsv('table=with_json&append=true', 'id,doc\n1,{}\n');
  expect(json.status).toBe(422);
  expect(json.body).toEqual({
    errors: [{ row: null, column: 'doc', message: expect.stringContaining('doc (') }],
  });
  expect(await rowsOf('hand_made')).toEqual([]);
  expect(await rowsOf('with_json')).toEqual([]);
});

test('a row with the wrong number of cells is 422 and nothing is written, not even the table', async () => {
  const answer = await importCsv('table=ragged', 'a,b\n1,2\n3\n4,5,6\n');
  expect(answer.status).toBe(422);
  expect(answer.body).toEqual({
    errors: [
      { row: 3, column: null, message: 'the row has 1 cells; the header has 2' },
      { row: 4, column: null, message: 'the row has 3 cells; the header has 2' },
    ],
  });
  expect(await tableExists('ragged')).toBe(false);
});

test('a replace that fails leaves the old table as it was', async () => {
  await importCsv('table=keep', 'a\n1\n');
  expect((await importCsv('table=keep&append=false', 'a,b\n1\n')).status).toBe(422);
  expect(await rowsOf('keep')).toEqual([{ a: 1 }]);
});

test.each([
  ['a header with a bad or repeated name', 'Name,x,x\n1,2,3\n', [1, 1]],
  ['an unclosed quote', 'a\n"open\n', [2]],
  ['an empty body', '', [null]],
])('%s is 422', async (_, csv, rows) => {
  const answer = await importCsv('table=bad_input', csv);
  expect(answer.status).toBe(422);
  expect((answer.body as { errors: { row: number | null }[] }).errors.map((e) => e.row)).toEqual(rows);
  expect(await tableExists('bad_input')).toBe(false);
});

test.each([
  ['no table', 'schema=x', 400],
  ['a table name with capitals', 'table=Bad', 400],
  ['a table name with a dash', 'table=bad-name', 400],
  ['a table name of 65 characters', `table=${'a'.repeat(65)}`, 400],
  ['append neither true nor false', 'table=t&append=yes', 400],
  ['an unknown parameter', 'table=t&mode=x', 400],
  ['a database not in IMPORT_SCHEMAS', 'table=t&schema=elsewhere', 403],
])('%s (%s) is %i', async (_, query, status) => {
  const answer = await importCsv(query, 'a\n1\n');
  expect(answer.status).toBe(status);
  expect(typeof (answer.body as { error: unknown }).error).toBe('string');
});

test("the sync's own database is never writable, even when IMPORT_SCHEMAS names it", async () => {
  const answer = await importCsv(`table=team&schema=${api.db.name}`, 'id\n1\n');
  expect(answer.status).toBe(403);
  expect((await queryDatabase(api.db.url, 'SELECT COUNT(*) AS n FROM team'))[0]).toEqual({ n: 0 });
  expect(() =>
    loadApiConfig({
      API_TOKEN: api.token,
      DATABASE_URL: api.db.url,
      IMPORT_SCHEMAS: `intercom_imports,${api.db.name}`,
    }),
  ).toThrow(/the sync's own database/);
});

test('a body declared over 10 MB is refused with 413 before it is read', async () => {
  const answer = await importCsv('table=big', 'a\n' + '1\n'.repeat(5 * 1024 * 1024));
  expect(answer.status).toBe(413);
  expect(await tableExists('big')).toBe(false);
});

test('a streamed body past 10 MB is refused with 413 after at most a little over 10 MB was read', async () => {
  const chunk = new TextEncoder().encode('x\n'.repeat(32 * 1024));
  let sent = 0;
  const limit = 64 * 1024 * 1024;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('x\n'));
    },
    pull(controller) {
      if (sent >= limit) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  const answer = await api.request('POST', '/imports?table=streamed', {
    body,
    headers: { 'content-type': 'text/csv' },
  });
  expect(answer.status).toBe(413);
  expect(sent).toBeLessThan(limit);
  expect(await tableExists('streamed')).toBe(false);
});

test('a JSON body is refused with 415', async () => {
  const answer = await api.request('POST', '/imports?table=j', {
    body: '{"a":1}',
    headers: { 'content-type': 'application/json' },
  });
  expect(answer.status).toBe(415);
});

test('readers see the old table or the new one during a replace, never none and never an empty one', async () => {
  const old = 'n\n' + Array.from({ length: 100 }, (_, i) => `${i}`).join('\n') + '\n';
  await importCsv('table=live', old);
  const big = 'n\n' + Array.from({ length: 60_000 }, (_, i) => `${i}`).join('\n') + '\n';
  const counts = new Set<unknown>();
  let done = false;
  const replacing = importCsv('table=live&append=false', big).finally(() => {
    done = true;
  });
  while (!done) {
    const [row] = await queryDatabase(api.db.url, `SELECT COUNT(*) AS n FROM \`${api.importSchema}\`.live`);
    counts.add(row?.n);
  }
  expect((await replacing).status).toBe(201);
  const [after] = await queryDatabase(api.db.url, `SELECT COUNT(*) AS n FROM \`${api.importSchema}\`.live`);
  counts.add(after?.n);
  expect([...counts].every((n) => n === 100 || n === 60_000)).toBe(true);
  expect(counts.has(60_000)).toBe(true);
});

test('a server that refuses LOAD DATA LOCAL gets the same rows by INSERT', async () => {
  const other = await startTestApi('folder', {}, { withoutLocalInfile: true });
  try {
    for (const target of [api, other]) {
      const answer = await target.request('POST', '/imports?table=both_ways', {
        body: TYPED_CSV,
        headers: { 'content-type': 'text/csv' },
      });
      expect(answer.status).toBe(201);
    }
    const viaLoadData = await rowsOf('both_ways');
    const viaInsert = await queryDatabase(
      other.db.url,
      `SELECT * FROM \`${other.importSchema}\`.both_ways ORDER BY 1`,
    );
    expect(viaInsert).toEqual(viaLoadData);
    expect(viaInsert).toHaveLength(3);
  } finally {
    await other.close();
  }
});

describe('auth', () => {
  test.each([
    ['no Authorization header', false],
    ['a wrong token', 'Bearer not-the-token-at-all'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])('%s is 401 JSON on every route, and nothing is imported', async (_, auth) => {
    for (const [method, path] of [
      ['POST', '/imports?table=sneaky'],
      ['GET', '/reports'],
      ['GET', '/reports/teams-above-mean?year=2025'],
      ['GET', '/openapi.json'],
    ] as const) {
      const answer = await api.request(method, path, {
        auth,
        body: method === 'POST' ? 'a\n1\n' : undefined,
      });
      expect([path, answer.status]).toEqual([path, 401]);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(typeof (answer.body as { error: unknown }).error).toBe('string');
    }
    expect(await tableExists('sneaky')).toBe(false);
  });
});
