import fc from 'fast-check';
import { ESCAPE, LineBuffer, parseTsvLine, tsvField, tsvLine } from '../../lib/warehouse/tsv';
import { SHAPES } from '../../lib/warehouse/tables';

describe('LOAD DATA lines', () => {
  it('escapes what LOAD DATA would read as structure, and nothing else', () => {
    const E = ESCAPE;
    expect(E).toBe('\u0001');
    expect(tsvField(null)).toBe(`${E}N`);
    expect(tsvField(undefined)).toBe(`${E}N`);
    expect(tsvField(true)).toBe('1');
    expect(tsvField(false)).toBe('0');
    expect(tsvField(1700000000)).toBe('1700000000');
    expect(tsvField('')).toBe('');
    expect(tsvField(`${E}N`)).toBe(`${E}${E}N`);
    expect(tsvField('\\N')).toBe('\\N');
    // JSON text goes through untouched: backslashes are not special in this format.
    expect(tsvField('{"a":"say \\"hi\\" \\\\ \\n"}')).toBe('{"a":"say \\"hi\\" \\\\ \\n"}');
    expect(tsvField('a\tb\nc\rd\0e')).toBe(`a${E}tb${E}nc\rd${E}0e`);
    expect(tsvField('it\'s "quoted" 😀')).toBe('it\'s "quoted" 😀');
  });

  it('reads back every string exactly, NULL as null and the empty string as empty (property)', () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '\\N',
        '\\',
        '\t',
        '\n',
        '\r',
        '\0',
        '\\t',
        '',
        'NULL',
        ESCAPE,
        `${ESCAPE}N`,
        `${ESCAPE}t`,
      ),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 8 }), (values) => {
        const line = values.map(tsvField).join('\t');
        expect(line).not.toMatch(/[\n\0]/);
        expect(parseTsvLine(line)).toEqual(values);
      }),
      { seed: 20261122, numRuns: 2000 },
    );
  });

  it('renders a row in the column order of its table, one line each', () => {
    const line = tsvLine(SHAPES.conversation_contact, { contactId: 'c\t1', conversationId: '42' });
    expect(line).toBe(`42\tc${ESCAPE}t1\n`);
  });
});

describe('LineBuffer', () => {
  it('grows past its first size, keeps every line, and is reused empty after reset', () => {
    const buffer = new LineBuffer(8);
    const lines = ['short', 'é😀 multibyte', 'x'.repeat(5000), ''];
    const ranges = lines.map((line) => {
      const start = buffer.length;
      buffer.append(`${line}\n`);
      return [start, buffer.length] as const;
    });
    expect(buffer.lines(0, buffer.length)).toEqual(lines);
    expect(buffer.lines(ranges[1]![0], ranges[1]![1])).toEqual([lines[1]]);
    expect(buffer.bytes().toString()).toBe(lines.map((l) => `${l}\n`).join(''));
    buffer.reset();
    expect(buffer.length).toBe(0);
    buffer.append('again\n');
    expect(buffer.lines(0, buffer.length)).toEqual(['again']);
  });
});
