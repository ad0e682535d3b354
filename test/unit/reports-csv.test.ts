import { describe, expect, it } from 'vitest';
import { toCsv } from '../../server/lib/csv-writer.js';

describe('report CSV', () => {
  it('has a BOM, a header row and CRLF lines; empty for null', () => {
    expect(toCsv(['a', 'b'], [{ a: 1, b: null }, { a: 2.5, b: 'x' }])).toBe('\ufeffa,b\r\n1,\r\n2.5,x\r\n');
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(toCsv(['name'], [{ name: 'Wang, "Lily"' }, { name: 'two\nlines' }])).toBe('\ufeffname\r\n"Wang, ""Lily"""\r\n"two\nlines"\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, but not negative numbers', () => {
    expect(toCsv(['x'], [{ x: '=HYPERLINK("http://evil")' }, { x: '+1' }, { x: '@SUM(A1)' }, { x: -3 }]))
      .toBe('\ufeffx\r\n"\'=HYPERLINK(""http://evil"")"\r\n\'+1\r\n\'@SUM(A1)\r\n-3\r\n');
  });
});
