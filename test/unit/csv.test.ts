import { describe, expect, it } from 'vitest';
import { csvCell, csvLines } from '../../src/core/csv.ts';

describe('CSV cells (every CSV Leadloop writes)', () => {
  it('guards text a spreadsheet would run as a formula, including tab and carriage return starts', () => {
    expect(['=HYPERLINK("x")', '+1', '-1+2', '@SUM(A1)', '\tcmd', '\rcmd'].map(csvCell))
      .toEqual(['"\'=HYPERLINK(""x"")"', "'+1", "'-1+2", "'@SUM(A1)", "'\tcmd", '"\'\rcmd"']);
  });
  it('leaves numbers alone (a negative amount is a number, not a formula) and empties null', () => {
    expect([-5, 0.25, true, null, undefined].map(csvCell)).toEqual(['-5', '0.25', 'true', '', '']);
  });
  it('quotes commas, quotes and line breaks (RFC 4180) and ends lines with CRLF', () => {
    expect(csvLines([['a,b', 'say "hi"', 'two\nlines'], [1, null, 'x']])).toBe('"a,b","say ""hi""","two\nlines"\r\n1,,x\r\n');
  });
});
