import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { DataError } from '../../lib/errors';
import { readJsonArray } from '../../lib/lake/json-array-reader';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function written(items: unknown[]): Promise<string> {
  let text = '';
  for await (const chunk of jsonArrayChunks(from(items))) text += chunk;
  return text;
}

/** `text` as a stream of `size`-byte chunks, so multi-byte characters and lines split across them. */
function streamOf(text: string | Buffer, size = 64 * 1024): Readable {
  const buf = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return Readable.from(chunks);
}

async function readAll(stream: Readable, options?: Parameters<typeof readJsonArray>[1]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of readJsonArray(stream, options)) out.push(item);
  return out;
}

const contact = (i: number) => ({
  type: 'contact',
  id: `c${i}`,
  name: i % 2 ? null : `Zoë 😀 ${i} 𝄞 中文`,
  email: '',
  tags: { type: 'list', data: [{ id: String(i) }], has_more: false },
  text: 'quote " backslash \\ newline \n tab \t sep \u2028',
});

describe('readJsonArray', () => {
  it('reads back what jsonArrayChunks wrote, with 4-byte characters split across chunks', async () => {
    const items = Array.from({ length: 50 }, (_, i) => contact(i));
    const text = await written(items);
    for (const size of [1, 3, 7, 1000]) {
      expect(await readAll(streamOf(text, size))).toEqual(items);
    }
  });

  it('reads empty arrays in any spacing', async () => {
    for (const text of ['[]\n', '[]', '[\n]\n', ' [ ] ', '[\n\n]']) {
      expect(await readAll(streamOf(text))).toEqual([]);
    }
  });

  it('reads 1 MB records on the line path and on the streaming path', async () => {
    const big = Array.from({ length: 3 }, (_, i) => ({ id: String(i), body: 'é😀x'.repeat(180_000) }));
    const text = await written(big);
    expect(await readAll(streamOf(text))).toEqual(big);
    expect(await readAll(streamOf(JSON.stringify(big)))).toEqual(big);
  });

  it('gives the same elements as JSON.parse for other layouts', async () => {
    const items = Array.from({ length: 20 }, (_, i) => contact(i));
    const layouts = [
      JSON.stringify(items),
      JSON.stringify(items, null, 2),
      (await written(items)).replace(/\n/g, '\r\n'),
      (await written(items)).replace('\n]\n', ',\n"extra"\n]\n'),
      (await written(items)).replace(/,\n/g, '\n,\n'),
      `[\n${items.map((i) => JSON.stringify(i)).join(',\n')}]`,
    ];
    for (const text of layouts) {
      expect(await readAll(streamOf(text, 500))).toEqual(JSON.parse(text));
    }
  });

  it('never returns a wrong result: equal to JSON.parse, or a DataError when that fails', async () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.constantFrom(',', ']', '[', '\n', '"', '}', ' ', 'x', '1', ',\n', '\n]\n'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 8 }),
        mutation,
        async (items, m) => {
          let text = await written(items);
          const at = m.at % (text.length + 1);
          if (m.kind === 'cut') text = text.slice(0, at);
          else if (m.kind === 'drop') text = text.slice(0, at) + text.slice(at + 1);
          else text = text.slice(0, at) + m.text + text.slice(at);
          let expected: unknown;
          try {
            expected = JSON.parse(text);
          } catch {
            expected = undefined;
          }
          if (Array.isArray(expected)) {
            expect(await readAll(streamOf(text, 5))).toEqual(expected);
          } else {
            await expect(readAll(streamOf(text, 5))).rejects.toBeInstanceOf(DataError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the key, the byte offset and the element when the file is truncated', async () => {
    const text = await written(Array.from({ length: 10 }, (_, i) => contact(i)));
    const cut = text.slice(0, Math.floor(text.length / 2));
    const error = await readAll(streamOf(cut), { key: 'data/users.json' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ location: 'data/users.json' });
    expect((error as Error).message).toMatch(
      /"data\/users\.json".*byte \d+.*element \d+.*re-run the extract/is,
    );
  });

  it('names the key and the element when a line in the middle is corrupt', async () => {
    const lines = (await written(Array.from({ length: 10 }, (_, i) => contact(i)))).split('\n');
    lines[5] = lines[5]!.replace('"type"', '"type');
    const error = await readAll(streamOf(lines.join('\n')), { key: 'data/users.json' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/"data\/users\.json".*element 4/s);
  });

  it('refuses a file that is not an array, or has data after it', async () => {
    for (const text of ['{"a":1}', '', '5\n', '[\n1\n]\n[\n2\n]\n', '[1]x']) {
      await expect(readAll(streamOf(text))).rejects.toBeInstanceOf(DataError);
    }
  });

  it('checks the sha256 of the bytes read against the manifest', async () => {
    const text = await written([contact(1), contact(2)]);
    const sha256 = createHash('sha256').update(text).digest('hex');
    expect(await readAll(streamOf(text, 10), { expectedSha256: sha256 })).toHaveLength(2);
    const other = createHash('sha256').update('other').digest('hex');
    await expect(readAll(streamOf(text), { key: 'data/users.json', expectedSha256: other })).rejects.toThrow(
      /"data\/users\.json" does not match its manifest/,
    );
  });

  it('releases the source when the reader stops early', async () => {
    const stream = streamOf(await written([1, 2, 3]), 2);
    for await (const item of readJsonArray(stream)) {
      expect(item).toBe(1);
      break;
    }
    expect(stream.destroyed).toBe(true);
  });
});
