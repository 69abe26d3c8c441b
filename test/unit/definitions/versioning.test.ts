import { describe, expect, it } from 'vitest';
import { mayEditDraft, resolveApprovers, sidesOf, validateApproverLists } from '../../../src/core/definitions/governance.ts';
import {
  canActivate, canEdit, decideActivation, decideApproval, decideEmergencyStop, decidePropose, decideRetire, decideWithdraw, newDraft,
  signOffStatus, type DefinitionVersionState, type Signer,
} from '../../../src/core/definitions/versioning.ts';

const now = new Date('2026-04-01T09:00:00Z');
const marketer: Signer = { userId: 'mia', sides: ['marketing'] };
const manager: Signer = { userId: 'max', sides: ['sales'] };
const nobody: Signer = { userId: 'sam', sides: [] };

function value<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}
const backtested = (version = 3): DefinitionVersionState => ({ ...newDraft(version), backtestRevision: 1 });
const proposed = (): DefinitionVersionState => value(decidePropose(backtested(), now));
const message = (r: { ok: boolean; message?: string }) => (r.ok ? 'ok' : r.message);

describe('definition versions', () => {
  it('draft → backtested → proposed → approved (marketing + sales) → active', () => {
    let v = proposed();
    expect(v).toMatchObject({ status: 'proposed', proposedAt: now, approvals: [] });
    const first = value(decideApproval(v, marketer, { decision: 'approve', comment: 'ok from marketing' }, now));
    expect(first.version.status).toBe('proposed');
    expect(first.signOff.missing).toEqual([['sales']]);
    v = value(decideApproval(first.version, manager, { decision: 'approve' }, now)).version;
    expect(v).toMatchObject({ status: 'approved', approvedAt: now });
    expect(v.approvals.map((a) => [a.userId, a.side, a.decision])).toEqual([['mia', 'marketing', 'approve'], ['max', 'sales', 'approve']]);
    const previous = { ...newDraft(2), status: 'active' as const };
    const activation = value(decideActivation(v, previous, now));
    expect(activation.activated).toMatchObject({ status: 'active', activatedAt: now });
    expect(activation.retired).toMatchObject({ version: 2, status: 'retired', retiredAt: now });
  });

  it('proposing needs a backtest of exactly the current revision', () => {
    expect(message(decidePropose(newDraft(3), now))).toBe('Version 3 has not been backtested: run POST /api/v1/definitions/{id}/backtest (the Backtest button) on this draft, then propose it.');
    const edited = { ...newDraft(3), revision: 4, backtestRevision: 3 };
    expect(message(decidePropose(edited, now))).toBe('Version 3 was edited after its backtest (backtest of revision 3, the draft is at revision 4): backtest it again, then propose it.');
    expect(decidePropose({ ...edited, backtestRevision: 4 }, now).ok).toBe(true);
  });

  it('refuses activation naming the side that has not approved', () => {
    const onlyMarketing = value(decideApproval(proposed(), marketer, { decision: 'approve' }, now)).version;
    expect(message(canActivate(onlyMarketing))).toBe('Version 3 cannot be activated yet: it still needs approval from sales.');
    const onlySales = value(decideApproval(proposed(), manager, { decision: 'approve' }, now)).version;
    expect(message(canActivate(onlySales))).toBe('Version 3 cannot be activated yet: it still needs approval from marketing.');
    expect(message(canActivate(newDraft(4)))).toBe('Version 4 is a draft: backtest it, propose it and get approval from marketing and from sales before activating.');
    expect(decideActivation(onlyMarketing, null, now).ok).toBe(false);
  });

  it('needs two different people: one person on both lists signs only one side', () => {
    const both: Signer = { userId: 'bo', sides: ['marketing', 'sales'] };
    const r = value(decideApproval(proposed(), both, { decision: 'approve' }, now));
    expect(r.version.status).toBe('proposed');
    expect(r.signOff.covered).toHaveLength(1);
    expect(decideApproval(r.version, both, { decision: 'approve' }, now)).toMatchObject({ ok: false, code: 'Conflict' });
    expect(value(decideApproval(r.version, manager, { decision: 'approve' }, now)).version.status).toBe('approved');
  });

  it('matches sign-offs to sides with reassignment', () => {
    const status = signOffStatus([
      { userId: 'bo', side: 'sales', decision: 'approve', at: now, comment: null },
      { userId: 'bo', side: 'marketing', decision: 'approve', at: now, comment: null },
      { userId: 'max', side: 'sales', decision: 'approve', at: now, comment: null },
    ]);
    expect(status.complete).toBe(true);
    expect(status.covered).toEqual([{ group: ['marketing'], userId: 'bo' }, { group: ['sales'], userId: 'max' }]);
  });

  it('refusal needs a comment and sends the version back to draft; a new proposal starts a new round', () => {
    const v = value(decideApproval(proposed(), marketer, { decision: 'approve' }, now)).version;
    expect(decideApproval(v, manager, { decision: 'refuse', comment: '  ' }, now)).toMatchObject({ ok: false, code: 'ValidationFailed' });
    const refused = value(decideApproval(v, manager, { decision: 'refuse', comment: 'pricing views are too cheap' }, now));
    expect(refused.version.status).toBe('draft');
    expect(refused.approval).toMatchObject({ userId: 'max', side: 'sales', decision: 'refuse', comment: 'pricing views are too cheap' });
    expect(value(decidePropose(refused.version, now)).approvals).toEqual([]);
  });

  it('only approvers sign, only proposed versions (or pending retirements) can be signed', () => {
    expect(message(decideApproval(proposed(), nobody, { decision: 'approve' }, now)))
      .toBe('Signing a definition needs a designated approver of marketing, or of sales; you are on no approver list (an admin sets them in Settings › Approvers).');
    expect(decideApproval(newDraft(1), marketer, { decision: 'approve' }, now)).toMatchObject({ ok: false, code: 'Conflict' });
  });

  it('approved versions are immutable', () => {
    let v = proposed();
    v = value(decideApproval(v, marketer, { decision: 'approve' }, now)).version;
    v = value(decideApproval(v, manager, { decision: 'approve' }, now)).version;
    expect(message(canEdit(v))).toBe('Version 3 is approved and cannot change; copy it into a new draft to make changes.');
    expect(decideApproval(v, manager, { decision: 'refuse', comment: 'late' }, now)).toMatchObject({ ok: false, code: 'Conflict' });
    expect(decideWithdraw(v).ok).toBe(false);
    expect(canEdit(newDraft(1)).ok).toBe(true);
    expect(canEdit(proposed()).ok).toBe(false);
    expect(value(decideWithdraw(proposed())).status).toBe('draft');
  });

  it('retiring the active version needs both sides; a refusal cancels the request', () => {
    const active: DefinitionVersionState = { ...newDraft(5), status: 'active' };
    expect(decideRetire(active, nobody, 'stop', now)).toMatchObject({ ok: false, code: 'Forbidden' });
    expect(decideRetire(active, marketer, ' ', now)).toMatchObject({ ok: false, code: 'ValidationFailed' });
    const requested = value(decideRetire(active, marketer, 'scores are wrong', now));
    expect(requested.version).toMatchObject({ status: 'active', retirement: { requestedBy: 'mia', reason: 'scores are wrong' } });
    expect(requested.signOff?.missing).toEqual([['sales']]);
    expect(decideRetire(requested.version, manager, 'again', now)).toMatchObject({ ok: false, code: 'Conflict' });
    const refused = value(decideApproval(requested.version, manager, { decision: 'refuse', comment: 'keep it until Q3' }, now));
    expect(refused.version).toMatchObject({ status: 'active', retirement: null });
    const approved = value(decideApproval(requested.version, manager, { decision: 'approve' }, now));
    expect(approved.version).toMatchObject({ status: 'retired', retiredAt: now });
    // Shelving an approved (never active) version changes nothing active.
    expect(value(decideRetire({ ...newDraft(6), status: 'approved' }, manager, null, now)).version.status).toBe('retired');
    expect(decideRetire(newDraft(6), manager, 'x', now).ok).toBe(false);
  });

  it('the emergency stop retires the active version with a reason', () => {
    const active: DefinitionVersionState = { ...newDraft(5), status: 'active' };
    expect(decideEmergencyStop(active, '', now)).toMatchObject({ ok: false, code: 'ValidationFailed' });
    expect(value(decideEmergencyStop(active, 'scoring floods sales', now))).toMatchObject({ status: 'retired', retiredAt: now });
    expect(decideEmergencyStop(newDraft(1), 'x', now).ok).toBe(false);
  });

  it('cannot activate twice or re-activate a retired version', () => {
    expect(canActivate({ ...newDraft(5), status: 'active' })).toMatchObject({ ok: false });
    expect(canActivate({ ...newDraft(5), status: 'retired' })).toMatchObject({ ok: false });
  });
});

describe('approvers', () => {
  const users = [
    { id: 'mia', role: 'marketing' as const, disabled: false, email: 'mia@x' },
    { id: 'max', role: 'sales_manager' as const, disabled: false, email: 'max@x' },
    { id: 'sam', role: 'sales' as const, disabled: false, email: 'sam@x' },
    { id: 'ada', role: 'admin' as const, disabled: false, email: 'ada@x' },
    { id: 'old', role: 'sales_manager' as const, disabled: true, email: 'old@x' },
  ];
  it('default to each side\'s managers and the admins, never a rep, a viewer or a disabled user', () => {
    const more = [{ id: 'vic', role: 'viewer' as const, disabled: false }, { id: 'gone', role: 'admin' as const, disabled: true }];
    const a = resolveApprovers(null, [...users, ...more]);
    expect(a).toEqual({ marketing: { explicit: false, userIds: ['mia', 'ada'] }, sales: { explicit: false, userIds: ['max', 'ada'] } });
  });
  it('an admin on both default lists signs one side only: a second person must sign the other', () => {
    const a = resolveApprovers(null, users);
    const v = { ...newDraft(1), status: 'proposed' as const, proposedAt: new Date('2026-01-01') };
    const first = decideApproval(v, { userId: 'ada', sides: sidesOf('ada', a) }, { decision: 'approve' }, new Date('2026-01-02'));
    if (!first.ok) throw new Error(first.message);
    expect(first.value.version.status).toBe('proposed');
    const again = decideApproval(first.value.version, { userId: 'ada', sides: sidesOf('ada', a) }, { decision: 'approve' }, new Date('2026-01-02'));
    expect(again).toMatchObject({ ok: false, code: 'Conflict' });
    const rep = decideApproval(first.value.version, { userId: 'sam', sides: sidesOf('sam', a) }, { decision: 'approve' }, new Date('2026-01-02'));
    expect(rep).toMatchObject({ ok: false, code: 'Forbidden' });
  });
  it('an admin named for one side is no longer in the other side\'s default', () => {
    const a = resolveApprovers({ marketing: ['ada'] }, users);
    expect(a).toEqual({ marketing: { explicit: true, userIds: ['ada'] }, sales: { explicit: false, userIds: ['max'] } });
  });
  it('explicit lists replace the default and drop people who no longer qualify', () => {
    const a = resolveApprovers({ sales: ['ada', 'old', 'sam'] }, users);
    expect(a.sales).toEqual({ explicit: true, userIds: ['ada'] });
    expect(a.marketing.explicit).toBe(false);
  });
  it('validation refuses reps, the other side\'s roles and one person on both sides', () => {
    const r = validateApproverLists({ marketing: ['ada', 'max'], sales: ['sam', 'ada', 'nope'] }, users);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.details).toEqual([
        { path: 'marketing[1]', message: 'max@x has the role sales_manager; marketing approvers must be marketing or admin' },
        { path: 'sales[0]', message: 'sam@x has the role sales; sales approvers must be sales_manager or admin (a sales rep never signs for a side)' },
        { path: 'sales[1]', message: 'ada@x is already an approver for marketing; one person speaks for one side' },
        { path: 'sales[2]', message: 'user nope is not in this workspace' },
      ]);
    }
  });
  it('a draft belongs to its side (and admins); machine-key drafts to nobody', () => {
    expect(mayEditDraft('marketing', { userId: 'max', role: 'sales_manager' }, 2)).toMatchObject({ ok: false, code: 'Forbidden' });
    expect(mayEditDraft('marketing', { userId: 'mia', role: 'marketing' }, 2).ok).toBe(true);
    expect(mayEditDraft('marketing', { userId: 'ada', role: 'admin' }, 2).ok).toBe(true);
    expect(mayEditDraft(null, { userId: null, role: null }, 2).ok).toBe(true);
  });
});
