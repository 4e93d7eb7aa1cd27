import { mapSegment } from '../../lib/records/map-segment';
import { fixtureSegment } from '../helpers/fixture-lists';

describe('mapSegment', () => {
  it('maps a segment field for field', () => {
    const segment = fixtureSegment(1);
    expect(mapSegment(segment)).toEqual({
      id: String(segment.id),
      name: 'Segment 1',
      personType: 'user',
      count: 12,
      createdAt: '2023-02-13 13:56:59',
      updatedAt: '2023-02-13 13:57:05',
      raw: JSON.stringify(segment),
    });
  });

  it('keeps a count the API did not give (no include_count, or not computed yet) NULL', () => {
    const { count: _omitted, ...withoutCount } = fixtureSegment(2);
    expect(mapSegment(withoutCount).count).toBeNull();
    expect(mapSegment(fixtureSegment(2, { count: null })).count).toBeNull();
  });

  it('refuses a segment without an id or with a count that is not an integer', () => {
    expect(() => mapSegment(fixtureSegment(3, { id: undefined }))).toThrow('the segment record has no id');
    expect(() => mapSegment(fixtureSegment(3, { count: '12' }))).toThrow(
      'field "count" should be an integer',
    );
  });
});
