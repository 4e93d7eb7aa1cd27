import { DataError } from '../../lib/errors';
import { CHUNK_TARGET_CHARS, jsonArrayChunks } from '../../lib/lake/json-array-writer';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe('jsonArrayChunks', () => {
  it('writes an empty source as []', async () => {
    expect((await collect(jsonArrayChunks(from([])))).join('')).toBe('[]\n');
  });

  it('writes one element per line and valid JSON', async () => {
    const items = [{ id: '1', text: 'line\nbreak' }, 'Zoë 😀', 3, null, ['\u2028']];
    const text = (await collect(jsonArrayChunks(from(items)))).join('');
    expect(text).toBe(`[\n${items.map((i) => JSON.stringify(i)).join(',\n')}\n]\n`);
    expect(text.split('\n')).toHaveLength(items.length + 3);
    expect(JSON.parse(text)).toEqual(items);
  });

  it('batches small elements into chunks of about 64 KiB', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ id: String(i), pad: 'x'.repeat(100) }));
    const chunks = await collect(jsonArrayChunks(from(items)));
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.length).toBeLessThan(20);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(CHUNK_TARGET_CHARS);
      expect(chunk.length).toBeLessThan(CHUNK_TARGET_CHARS + 200);
    }
    expect(JSON.parse(chunks.join(''))).toEqual(items);
  });

  it('calls onItem once per element, in order', async () => {
    const seen: unknown[] = [];
    await collect(jsonArrayChunks(from([1, 2, 3]), (item) => seen.push(item)));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('refuses an element that has no JSON form', async () => {
    await expect(collect(jsonArrayChunks(from([1, undefined])))).rejects.toThrow(DataError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(collect(jsonArrayChunks(from([circular])))).rejects.toThrow(/Element 0/);
  });
});
