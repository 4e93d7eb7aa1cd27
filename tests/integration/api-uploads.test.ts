import { queryServer } from '../helpers/database';
import { startTestApi, type TestApi } from '../helpers/api';

const MB = 1024 * 1024;

/** A CSV of `id,amount,label` rows just over `bytes` long, and its row count. */
function csvOf(bytes: number): { csv: string; rows: number } {
  const lines = ['id,amount,label'];
  let size = lines[0]!.length + 1;
  let id = 0;
  while (size < bytes) {
    id += 1;
    const line = `${id},${(id % 1000) / 4},label number ${id} with some padding text`;
    lines.push(line);
    size += line.length + 1;
  }
  return { csv: `${lines.join('\n')}\n`, rows: id };
}

interface UploadLink {
  upload: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  bytes: number;
  expires_at: string;
}

describe.each(['folder', 's3'] as const)('large imports through an upload link, %s lake', (lakeKind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(lakeKind);
  });
  afterAll(async () => {
    await api.close();
  });

  async function tableExists(table: string): Promise<boolean> {
    const rows = await queryServer(
      'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [api.importSchema, table],
    );
    return rows.length > 0;
  }

  async function linkFor(bytes: number): Promise<UploadLink> {
    const answer = await api.request('POST', `/imports/uploads?bytes=${bytes}`);
    expect(answer.status).toBe(201);
    return answer.body as UploadLink;
  }

  function put(link: UploadLink, body: string | Buffer, url = link.url): ReturnType<TestApi['fetch']> {
    return api.fetch('PUT', url, { body, headers: { 'content-length': String(Buffer.byteLength(body)) } });
  }

  async function incoming(): Promise<string[]> {
    return api.opened.deps.lake.list('imports/incoming/');
  }

  test('a 7 MB CSV (over the 6 MB a Lambda takes as a body) goes up by link and imports like a body, and the upload is deleted', async () => {
    const { csv, rows } = csvOf(7 * MB);
    const bytes = Buffer.byteLength(csv);
    expect(bytes).toBeGreaterThan(6 * MB);
    const link = await linkFor(bytes);
    expect(link).toMatchObject({ method: 'PUT', bytes, headers: { 'content-length': String(bytes) } });
    expect(Date.parse(link.expires_at) - Date.now()).toBeLessThanOrEqual(900_000);
    if (lakeKind === 's3') expect(link.url).toContain(`/imports/incoming/${link.upload}.csv?`);
    else expect(link.url).toContain(`${api.url}/import-files/${link.upload}?`);
    const uploaded = await put(link, csv);
    expect(uploaded.status).toBe(200);
    expect(await incoming()).toEqual([`imports/incoming/${link.upload}.csv`]);

    const imported = await api.request('POST', `/imports?table=big&upload=${link.upload}`);
    expect(imported.status).toBe(201);
    expect(imported.body).toEqual({
      schema: api.importSchema,
      table: 'big',
      rows,
      mode: 'replace',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'amount', type: 'decimal' },
        { name: 'label', type: 'text' },
      ],
    });
    const [count] = await queryServer(
      `SELECT COUNT(*) AS n, MAX(id) AS top FROM \`${api.importSchema}\`.big`,
    );
    expect(count).toEqual({ n: rows, top: rows });
    expect(await incoming()).toEqual([]);
    // The upload is gone: importing it again is 404 and the table stays as it is.
    const again = await api.request('POST', `/imports?table=big&upload=${link.upload}&append=true`);
    expect(again.status).toBe(404);
  }, 60_000);

  test('a link for more than 10 MB is refused (413) and none is made', async () => {
    const answer = await api.request('POST', `/imports/uploads?bytes=${10 * MB + 1}`);
    expect(answer.status).toBe(413);
    expect((answer.body as { error: string }).error).toMatch(/10 MB/);
    for (const bad of ['', 'bytes=0', 'bytes=-5', 'bytes=1.5', 'bytes=1e6', 'bytes=12&table=x']) {
      expect((await api.request('POST', `/imports/uploads?${bad}`)).status).toBe(400);
    }
    expect(await incoming()).toEqual([]);
  });

  test('a file over 10 MB put where a smaller one was allowed never reaches a table', async () => {
    const big = Buffer.alloc(10 * MB + 1, 'a');
    const link = await linkFor(10 * MB);
    const uploaded = await put(link, big);
    if (lakeKind === 'folder') {
      // The API stops reading past the link's size and saves nothing.
      expect(uploaded.status).toBe(413);
      expect(await incoming()).toEqual([]);
    } else {
      // Real S3 refuses a length other than the signed one; s3rver does not, so the import checks again.
      const imported = await api.request('POST', `/imports?table=too_big&upload=${link.upload}`);
      expect(imported.status).toBe(413);
      expect(await incoming()).toEqual([]);
    }
    expect(await tableExists('too_big')).toBe(false);
  }, 60_000);

  test('rows that do not fit: 422, nothing written, and the upload is deleted with its answer', async () => {
    const csv = 'a,b\n1,2\n3\n';
    const link = await linkFor(Buffer.byteLength(csv));
    expect((await put(link, csv)).status).toBe(200);
    const answer = await api.request('POST', `/imports?table=uneven&upload=${link.upload}`);
    expect(answer.status).toBe(422);
    expect((answer.body as { errors: { row: number }[] }).errors[0]?.row).toBe(3);
    expect(await tableExists('uneven')).toBe(false);
    expect(await incoming()).toEqual([]);
  });

  test('a refused request (a name not allowed) keeps the upload for a corrected one', async () => {
    const csv = 'a\n1\n';
    const link = await linkFor(Buffer.byteLength(csv));
    expect((await put(link, csv)).status).toBe(200);
    expect((await api.request('POST', `/imports?table=Bad-Name&upload=${link.upload}`)).status).toBe(400);
    expect((await api.request('POST', `/imports?table=ok&schema=mysql&upload=${link.upload}`)).status).toBe(
      403,
    );
    expect(await incoming()).toEqual([`imports/incoming/${link.upload}.csv`]);
    expect((await api.request('POST', `/imports?table=ok&upload=${link.upload}`)).status).toBe(201);
    expect(await incoming()).toEqual([]);
  });

  test('an upload link signed long ago has expired: 403 and nothing saved', async () => {
    api.clockAt = new Date(Date.now() - 3600 * 1000);
    let link: UploadLink;
    try {
      link = await linkFor(4);
    } finally {
      api.clockAt = undefined;
    }
    const answer = await put(link, 'a\n1\n');
    expect(answer.status).toBe(403);
    expect(answer.text).toMatch(/expired/i);
    expect(await incoming()).toEqual([]);
  });

  test('a forged link is 403 and saves nothing', async () => {
    const link = await linkFor(4);
    // s3rver checks a SigV4 link's key and expiry but not its signature (real S3 checks all three),
    // so the S3 forgery here is a link under a key S3 does not know.
    const forged =
      lakeKind === 'folder'
        ? [
            link.url.replace(/signature=([0-9a-f])/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`),
            link.url.replace('bytes=4', 'bytes=40'),
            link.url.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 3600}`),
            link.url.replace(link.upload, 'f'.repeat(32)),
          ]
        : [link.url.replace(/X-Amz-Credential=AK[0-9A-F]+/, 'X-Amz-Credential=AKFORGED0000000000')];
    expect(forged.every((url) => url !== link.url)).toBe(true);
    for (const url of forged) {
      const answer = await put(link, 'a\n1\n', url);
      expect([url, answer.status]).toEqual([url, 403]);
    }
    expect(await incoming()).toEqual([]);
  });

  test.each([
    '../../reports/x',
    '..%2F..%2Freports%2Fx',
    'ABCDEF0123456789ABCDEF0123456789',
    '0123456789abcdef0123456789abcdef.csv',
    '%00',
    '',
  ])('a hostile upload name %p is 400 and reads nothing', async (name) => {
    const answer = await api.request('POST', `/imports?table=hostile&upload=${name}`);
    expect(answer.status).toBe(400);
    expect(await tableExists('hostile')).toBe(false);
  });

  test('a well-formed upload id nobody uploaded is 404', async () => {
    const answer = await api.request('POST', `/imports?table=ghost&upload=${'0'.repeat(32)}`);
    expect(answer.status).toBe(404);
    expect(await tableExists('ghost')).toBe(false);
  });

  if (lakeKind === 'folder') {
    test('a hostile path to the upload route is refused and writes nothing outside imports/incoming/', async () => {
      const link = await linkFor(4);
      for (const name of ['..%2F..%2Freports%2Fx', 'x', `${link.upload}.csv`]) {
        const url = link.url.replace(link.upload, name);
        const answer = await put(link, 'a\n1\n', url);
        expect([name, answer.status]).toEqual([name, 404]);
      }
      expect(await api.opened.deps.lake.list('reports/')).toEqual([]);
      expect(await incoming()).toEqual([]);
    });
  }
});
