import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, scanCsv } from '../../src/app/import/csv-source.ts';
import { detectPreset, planColumns } from '../../src/app/import/import-presets.ts';
import { parseImportDate, parseNumber, rowSchemas } from '../../src/app/import/import-rows.schema.ts';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('UTF-8 guard', () => {
  it('finds the first invalid byte; a sequence cut at the end is not (yet) an error', () => {
    expect(firstInvalidUtf8(bytes('ok é'))).toBe(-1);
    expect(firstInvalidUtf8(bytes('ab', [0xe9], 'c'))).toBe(2);
    expect(firstInvalidUtf8(bytes('ab', [0xc3]))).toBe(-1);
    expect(firstInvalidUtf8(bytes([0xc0, 0xaf]))).toBe(0); // overlong
    expect(firstInvalidUtf8(bytes([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
  });

  it('accepts characters split across chunks and names offset and line of a bad byte in a later chunk', async () => {
    const ok = await scanCsv(Readable.from([bytes('a,b\n1,', [0xc3]), bytes([0xa9], '\n2,3\n')]));
    expect(ok).toEqual({ ok: true, value: { headers: ['a', 'b'], rows: 2 } });
    const bad = await scanCsv(Readable.from([bytes('a,b\n1,x\n'), bytes('2,y\n3,', [0xff], '\n')]));
    expect(!bad.ok && bad.message).toContain('byte 0xFF at byte offset 14 (line 4)');
  });

  it('refuses broken CSV syntax, an empty file and duplicate column names', async () => {
    expect(await scanCsv(Readable.from([bytes('a,b\n"1,2\n')]))).toMatchObject({ ok: false, message: expect.stringContaining('Quote Not Closed') });
    expect(await scanCsv(Readable.from([bytes('')]))).toMatchObject({ ok: false, message: expect.stringContaining('empty') });
    expect(await scanCsv(Readable.from([bytes('Email,email\n')]))).toMatchObject({ ok: false, message: expect.stringContaining('twice') });
  });
});

describe('presets and values', () => {
  it('detects Salesforce and HubSpot exports from their headers', () => {
    expect(detectPreset('opportunities', ['Opportunity ID', 'Opportunity Name', 'Amount', 'Stage'])).toBe('salesforce');
    expect(detectPreset('opportunities', ['Record ID', 'Deal Name', 'Deal Stage'])).toBe('hubspot');
    expect(detectPreset('contacts', ['email', 'first_name'])).toBe('generic');
  });

  it('applies --map overrides and refuses unknown fields or columns', () => {
    const plan = planColumns('contacts', ['E-Mail Address', 'Notes'], 'auto', { 'E-Mail Address': 'email', Notes: '-' });
    expect(plan.ok && [...plan.value.fields]).toEqual([['email', 0]]);
    expect(plan.ok && plan.value.attributeColumns).toEqual([]);
    expect(planColumns('contacts', ['Email'], 'auto', { Email: 'mail' })).toMatchObject({ ok: false, message: expect.stringContaining("'mail', which is not a contacts field") });
    expect(planColumns('contacts', ['Email'], 'auto', { Nope: 'email' })).toMatchObject({ ok: false, message: expect.stringContaining("'Nope', which is not in the file") });
  });

  it('reads CRM dates and numbers', () => {
    expect(parseImportDate('1/31/2026')?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(parseImportDate('1/31/2026, 9:30 PM')?.toISOString()).toBe('2026-01-31T21:30:00.000Z');
    expect(parseImportDate('2026-01-31 09:30')?.toISOString()).toBe('2026-01-31T09:30:00.000Z');
    expect(parseImportDate('2026-01-31T09:30:00+02:00')?.toISOString()).toBe('2026-01-31T07:30:00.000Z');
    expect(parseImportDate('2026-02-30')).toBeNull();
    expect(parseNumber('USD 1,200.50')).toBe(1200.5);
    expect(parseNumber('$3,000')).toBe(3000);
    expect(parseNumber('12x')).toBeNull();
  });
});

describe('numeric cells are bounded by their column', () => {
  const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
    (r.success ? [] : r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  it('integer employee_count: up to 2147483647', () => {
    expect(issues(rowSchemas.accounts.safeParse({ name: 'A', employee_count: '2147483647' }))).toEqual([]);
    expect(issues(rowSchemas.accounts.safeParse({ name: 'A', employee_count: '3000000000' }))).toEqual(['employee_count: out of range: at most 2147483647 fits this column']);
    expect(issues(rowSchemas.contacts.safeParse({ email: 'a@b.example', employee_count: '2,147,483,648' }))).toEqual(['employee_count: out of range: at most 2147483647 fits this column']);
    expect(issues(rowSchemas.accounts.safeParse({ name: 'A', employee_count: 'seventy' }))).toEqual(['employee_count: not a whole number ≥ 0']);
  });
  it('numeric(18,2) amounts and revenue: below 1e16', () => {
    expect(issues(rowSchemas.opportunities.safeParse({ name: 'D', amount: '9999999999999998' }))).toEqual([]);
    expect(issues(rowSchemas.opportunities.safeParse({ name: 'D', amount: '1e16' }))).toEqual(['amount: out of range: at most 9999999999999999.99 fits this column']);
    expect(issues(rowSchemas.accounts.safeParse({ name: 'A', annual_revenue: 'USD 12,000,000,000,000,000' }))).toEqual(['annual_revenue: out of range: at most 9999999999999999.99 fits this column']);
  });
});
