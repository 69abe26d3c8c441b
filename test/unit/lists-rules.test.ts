import { describe, expect, it } from 'vitest';
import { byLocale, csvCell, decodeKeyCursor, decodeSortCursor, encodeKeyCursor, encodeSortCursor, pageInMemory, toCsv } from '../../src/core/lists.rules.ts';
import { decideAccountOwner } from '../../src/core/account-owner.rules.ts';

describe('list rules', () => {
  it('neutralises spreadsheet formulas in CSV cells and quotes what needs quoting', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    for (const lead of ['+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(lead).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('Ada, Countess')).toBe('"Ada, Countess"');
    expect(csvCell(null)).toBe('');
    expect(toCsv(['a', 'b'], [['x', 1]])).toBe('a,b\r\nx,1\r\n');
  });

  it('round-trips sort cursors and refuses forged ones', () => {
    const c = encodeSortCursor({ value: 'hopper grace', id: '0190a0b0-0000-7000-8000-000000000001' });
    expect(decodeSortCursor(c)).toEqual({ value: 'hopper grace', id: '0190a0b0-0000-7000-8000-000000000001' });
    expect(decodeSortCursor('srt1.bm9wZQ')).toBeNull();
    expect(decodeSortCursor(`srt1.${btoa(JSON.stringify(['x', 'not-a-uuid']))}`)).toBeNull();
    expect(decodeSortCursor('chg1.1.0190a0b0-0000-7000-8000-000000000001')).toBeNull();
  });

  it('lets managers, admins and the current owner change an account owner; not marketing or other reps', () => {
    const user = (role: 'admin' | 'sales' | 'sales_manager' | 'marketing', id = 'u1') => ({ kind: 'user' as const, id, name: 'X', role, team: null, permissions: new Set(['read', 'write'] as const) });
    expect(decideAccountOwner(user('sales_manager'), { ownerId: 'u9', ownerName: 'Dana' }).allowed).toBe(true);
    expect(decideAccountOwner(user('admin'), { ownerId: null, ownerName: null }).allowed).toBe(true);
    expect(decideAccountOwner(user('sales', 'u9'), { ownerId: 'u9', ownerName: 'Dana' }).allowed).toBe(true);
    const refused = decideAccountOwner(user('sales'), { ownerId: 'u9', ownerName: 'Dana' });
    expect(refused.allowed).toBe(false);
    expect(!refused.allowed && refused.whoMay).toContain("account's owner (Dana)");
    expect(decideAccountOwner(user('marketing'), { ownerId: null, ownerName: null }).allowed).toBe(false);
    expect(decideAccountOwner({ kind: 'key', permissions: new Set(['write'] as const) }, { ownerId: null, ownerName: null }).allowed).toBe(false);
  });
});

describe('key1 cursors (lists keyed by text, integer or date columns)', () => {
  it('round-trips the values and refuses another arity, another shape, or a value its column cannot take', () => {
    const c = encodeKeyCursor(['2026-01-01', 'sales, "quoted" é']);
    expect(c.startsWith('key1.')).toBe(true);
    expect(decodeKeyCursor(c, ['date', 'text'])).toEqual(['2026-01-01', 'sales, "quoted" é']);
    expect(decodeKeyCursor(c, ['date'])).toBeNull();
    expect(decodeKeyCursor(c, ['integer', 'text'])).toBeNull();
    expect(decodeKeyCursor(encodeKeyCursor(['2026-02-30', 'x']), ['date', 'text'])).toBeNull();
    expect(decodeKeyCursor(encodeKeyCursor(['-12']), ['integer'])).toEqual(['-12']);
    expect(decodeKeyCursor(encodeKeyCursor(['9999999999']), ['integer'])).toBeNull();
    expect(decodeKeyCursor(encodeKeyCursor(['a\u0000b']), ['text'])).toBeNull();
    expect(decodeKeyCursor(encodeKeyCursor(['not-a-uuid']), ['uuid'])).toBeNull();
    expect(decodeKeyCursor(encodeSortCursor({ value: 'x', id: '0190a3c2-0000-7000-8000-000000000000' }), ['text'])).toBeNull();
    expect(decodeKeyCursor('key1.!!!', ['text'])).toBeNull();
  });

  it('pages a list held in memory: every item once, in key order, whatever the page size', () => {
    const items = ['delta', 'Alpha', 'charlie', 'bravo', 'Echo'].map((name) => ({ name }));
    for (const limit of [1, 2, 3, 5, 9]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: { name: string }[]; nextCursor: string | null } = pageInMemory(items, (i) => i.name, limit, cursor, byLocale);
        expect(page.data.length).toBeLessThanOrEqual(limit);
        seen.push(...page.data.map((i) => i.name));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['Alpha', 'bravo', 'charlie', 'delta', 'Echo']);
    }
    expect(pageInMemory(items, (i) => i.name, 2).data.map((i) => i.name)).toEqual(['Alpha', 'Echo']);
  });
});
