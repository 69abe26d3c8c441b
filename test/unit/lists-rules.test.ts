import { describe, expect, it } from 'vitest';
import { csvCell, decodeSortCursor, encodeSortCursor, toCsv } from '../../src/core/lists.rules.ts';
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
