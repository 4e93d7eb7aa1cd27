import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LakeShelf } from '../../bench/lib/lake-shelf';

const exists = (folder: string): Promise<boolean> =>
  stat(folder).then(
    () => true,
    () => false,
  );

describe('LakeShelf', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bench-shelf-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hands a kept lake to the first taker of the same size only', async () => {
    const shelf = new LakeShelf();
    const lake = await mkdtemp(path.join(dir, 'lake-'));
    await shelf.put({ contacts: 20, conversations: 5 }, lake);
    expect(shelf.take({ contacts: 20, conversations: 6 })).toBeUndefined();
    expect(shelf.take({ contacts: 20, conversations: 5 })).toBe(lake);
    expect(shelf.take({ contacts: 20, conversations: 5 })).toBeUndefined();
    await shelf.clear();
    expect(await exists(lake)).toBe(true);
  });

  it('deletes a lake replaced by another of the same size, and every lake left at clear', async () => {
    const shelf = new LakeShelf();
    const [first, second, other] = await Promise.all([1, 2, 3].map(() => mkdtemp(path.join(dir, 'lake-'))));
    await shelf.put({ contacts: 20, conversations: 5 }, first as string);
    await shelf.put({ contacts: 20, conversations: 5 }, second as string);
    await shelf.put({ contacts: 100, conversations: 26 }, other as string);
    expect(await exists(first as string)).toBe(false);
    await shelf.clear();
    expect(await exists(second as string)).toBe(false);
    expect(await exists(other as string)).toBe(false);
  });
});
