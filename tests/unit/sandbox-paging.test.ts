import {
  decodeCursor,
  encodeCursor,
  MAX_PER_PAGE,
  pageOf,
  PagingParameterError,
  parsePerPage,
} from '../../sandbox/paging';

describe('sandbox paging', () => {
  it('round-trips offsets through opaque cursors and rejects foreign ones', () => {
    for (const offset of [0, 1, 149, 1_000_000]) expect(decodeCursor(encodeCursor(offset))).toBe(offset);
    expect(encodeCursor(150)).not.toContain('150');
    expect(() => decodeCursor('abc')).toThrow(PagingParameterError);
  });

  it('defaults per_page, caps it at 150 and rejects non-positive values', () => {
    expect(parsePerPage(undefined, 50)).toBe(50);
    expect(parsePerPage('1000', 50)).toBe(MAX_PER_PAGE);
    expect(parsePerPage(7, 20)).toBe(7);
    for (const bad of ['0', '-1', 'x', 1.5])
      expect(() => parsePerPage(bad, 50)).toThrow(PagingParameterError);
  });

  it('describes each page and leaves next off the last one', () => {
    expect(pageOf(10, 0, 4).pages).toMatchObject({ page: 1, per_page: 4, total_pages: 3 });
    const middle = pageOf(10, 4, 4);
    expect([middle.start, middle.end]).toEqual([4, 8]);
    expect(decodeCursor(middle.pages.next?.starting_after ?? '')).toBe(8);
    expect(pageOf(10, 8, 4).pages.next).toBeUndefined();
    expect(pageOf(0, 0, 4).pages).toEqual({ type: 'pages', page: 1, per_page: 4, total_pages: 0 });
  });

  it('points the next cursor one item back when asked to repeat across pages', () => {
    expect(decodeCursor(pageOf(10, 0, 4, { repeatLast: true }).pages.next?.starting_after ?? '')).toBe(3);
  });
});
