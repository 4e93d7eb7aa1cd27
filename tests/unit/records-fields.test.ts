import fc from 'fast-check';
import { formatDatetime } from '../../lib/records/fields';

describe('formatDatetime', () => {
  it('renders Unix seconds as a UTC DATETIME literal at both ends of the range', () => {
    expect(formatDatetime(0)).toBe('1970-01-01 00:00:00');
    expect(formatDatetime(1_700_000_000)).toBe('2023-11-14 22:13:20');
    expect(formatDatetime(253_402_300_799)).toBe('9999-12-31 23:59:59');
  });

  it('agrees with Date#toISOString for any second a DATETIME holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799 }), (seconds) => {
        const iso = new Date(seconds * 1000).toISOString();
        expect(formatDatetime(seconds)).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 19)}`);
      }),
    );
  });
});
