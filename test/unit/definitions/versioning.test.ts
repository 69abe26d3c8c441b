import { describe, expect, it } from 'vitest';
import {
  canActivate, canEdit, decideActivation, decideApproval, decidePropose, decideRetire, decideWithdraw, newDraft,
  signOffStatus, type DefinitionVersionState, type Signer,
} from '../../../src/core/definitions/versioning.ts';

const now = new Date('2026-04-01T09:00:00Z');
const marketer: Signer = { userId: 'mia', roles: ['marketing'] };
const rep: Signer = { userId: 'sam', roles: ['sales'] };
const manager: Signer = { userId: 'max', roles: ['sales_manager'] };
const viewer: Signer = { userId: 'vic', roles: ['viewer'] };

function value<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}
const proposed = (): DefinitionVersionState => value(decidePropose(newDraft(3), now));

describe('definition versions', () => {
  it('draft → proposed → approved (marketing + sales) → active → retired', () => {
    let v = proposed();
    expect(v).toMatchObject({ status: 'proposed', proposedAt: now, approvals: [] });
    const first = value(decideApproval(v, marketer, { decision: 'approve', comment: 'ok from marketing' }, now));
    expect(first.version.status).toBe('proposed');
    expect(first.signOff.missing).toEqual([['sales', 'sales_manager']]);
    v = value(decideApproval(first.version, manager, { decision: 'approve' }, now)).version;
    expect(v).toMatchObject({ status: 'approved', approvedAt: now });
    expect(v.approvals.map((a) => [a.userId, a.role, a.decision])).toEqual([['mia', 'marketing', 'approve'], ['max', 'sales_manager', 'approve']]);

    const previous = { ...newDraft(2), status: 'active' as const };
    const activation = value(decideActivation(v, previous, now));
    expect(activation.activated).toMatchObject({ status: 'active', activatedAt: now });
    expect(activation.retired).toMatchObject({ version: 2, status: 'retired', retiredAt: now });
    expect(value(decideRetire(activation.activated, now)).status).toBe('retired');
  });

  it('refuses activation naming the side that has not approved', () => {
    const onlyMarketing = value(decideApproval(proposed(), marketer, { decision: 'approve' }, now)).version;
    const r = canActivate(onlyMarketing);
    expect(r).toMatchObject({ ok: false, code: 'Conflict' });
    if (!r.ok) expect(r.message).toBe('Version 3 cannot be activated yet: it still needs approval from sales or sales_manager.');
    const onlySales = value(decideApproval(proposed(), rep, { decision: 'approve' }, now)).version;
    const s = canActivate(onlySales);
    if (!s.ok) expect(s.message).toBe('Version 3 cannot be activated yet: it still needs approval from marketing.');
    else throw new Error('expected refusal');
    const d = canActivate(newDraft(4));
    if (!d.ok) expect(d.message).toBe('Version 4 is a draft: propose it and get approval from marketing and from sales or sales_manager before activating.');
    else throw new Error('expected refusal');
    expect(decideActivation(onlyMarketing, null, now).ok).toBe(false);
  });

  it('needs two different people: one person holding both roles signs only one side', () => {
    const both: Signer = { userId: 'bo', roles: ['marketing', 'sales'] };
    const r = value(decideApproval(proposed(), both, { decision: 'approve' }, now));
    expect(r.version.status).toBe('proposed');
    expect(r.signOff.covered).toHaveLength(1);
    // A second approval by the same person is refused.
    expect(decideApproval(r.version, both, { decision: 'approve' }, now)).toMatchObject({ ok: false, code: 'Conflict' });
    // 'bo' signed for marketing (the first open side); a salesperson completes it.
    expect(value(decideApproval(r.version, rep, { decision: 'approve' }, now)).version.status).toBe('approved');
  });

  it('matches sign-offs to groups with reassignment', () => {
    const at = now;
    const status = signOffStatus([
      { userId: 'bo', role: 'sales', decision: 'approve', at, comment: null },
      { userId: 'bo', role: 'marketing', decision: 'approve', at, comment: null },
      { userId: 'sam', role: 'sales', decision: 'approve', at, comment: null },
    ]);
    expect(status.complete).toBe(true);
    expect(status.covered).toEqual([{ group: ['marketing'], userId: 'bo' }, { group: ['sales', 'sales_manager'], userId: 'sam' }]);
  });

  it('supports configurable sign-off groups', () => {
    const groups = [['marketing'], ['sales_manager'], ['admin']] as const;
    let v = proposed();
    v = value(decideApproval(v, marketer, { decision: 'approve' }, now, groups)).version;
    expect(decideApproval(v, rep, { decision: 'approve' }, now, groups)).toMatchObject({ ok: false, code: 'Forbidden' });
    v = value(decideApproval(v, manager, { decision: 'approve' }, now, groups)).version;
    expect(v.status).toBe('proposed');
    const r = canActivate(v, groups);
    if (!r.ok) expect(r.message).toContain('needs approval from admin');
    v = value(decideApproval(v, { userId: 'ada', roles: ['admin'] }, { decision: 'approve' }, now, groups)).version;
    expect(v.status).toBe('approved');
  });

  it('refusal needs a comment and sends the version back to draft', () => {
    const v = value(decideApproval(proposed(), marketer, { decision: 'approve' }, now)).version;
    expect(decideApproval(v, rep, { decision: 'refuse', comment: '  ' }, now)).toMatchObject({ ok: false, code: 'ValidationFailed' });
    const refused = value(decideApproval(v, rep, { decision: 'refuse', comment: 'pricing views are too cheap' }, now));
    expect(refused.version.status).toBe('draft');
    expect(refused.approval).toMatchObject({ userId: 'sam', decision: 'refuse', comment: 'pricing views are too cheap' });
    // Re-proposing starts a new round: earlier approvals do not carry over.
    const again = value(decidePropose(refused.version, now));
    expect(again.approvals).toEqual([]);
  });

  it('only signers can sign, only proposed versions can be signed', () => {
    const r = decideApproval(proposed(), viewer, { decision: 'approve' }, now);
    expect(r).toMatchObject({ ok: false, code: 'Forbidden' });
    if (!r.ok) expect(r.message).toBe('Signing a definition needs the role marketing, or sales or sales_manager; you have viewer.');
    expect(decideApproval(newDraft(1), marketer, { decision: 'approve' }, now)).toMatchObject({ ok: false, code: 'Conflict' });
  });

  it('approved versions are immutable', () => {
    let v = proposed();
    v = value(decideApproval(v, marketer, { decision: 'approve' }, now)).version;
    v = value(decideApproval(v, rep, { decision: 'approve' }, now)).version;
    const edit = canEdit(v);
    expect(edit.ok).toBe(false);
    if (!edit.ok) expect(edit.message).toBe('Version 3 is approved and cannot change; copy it into a new draft to make changes.');
    expect(decideApproval(v, manager, { decision: 'refuse', comment: 'late' }, now)).toMatchObject({ ok: false, code: 'Conflict' });
    expect(decideWithdraw(v).ok).toBe(false);
    expect(canEdit(newDraft(1)).ok).toBe(true);
    expect(canEdit(proposed()).ok).toBe(false);
    expect(value(decideWithdraw(proposed())).status).toBe('draft');
  });

  it('cannot activate twice or re-activate a retired version', () => {
    const active = { ...newDraft(5), status: 'active' as const };
    expect(canActivate(active)).toMatchObject({ ok: false });
    const retired = { ...newDraft(5), status: 'retired' as const };
    expect(canActivate(retired)).toMatchObject({ ok: false });
    expect(decideRetire(newDraft(6), now).ok).toBe(false);
  });
});
