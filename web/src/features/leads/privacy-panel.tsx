import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { useMe } from '../../api/queries.ts';
import type { Contact } from '../../api/types.ts';
import type { ErasureReceiptDto } from '../../../../src/server/contract/privacy.contract.ts';
import { actorOf } from '../../app/permissions.ts';
import { decide } from '../../../../src/core/permissions.rules.ts';
import { Modal } from '../../ui/modal.tsx';
import { ErrorNote } from '../../ui/states.tsx';

/**
 * The contact page's privacy tools: export everything stored about the person (JSON, or a ZIP of CSV
 * files), erase the person (typed confirmation: it cannot be undone), and the consent history per
 * purpose. Admins only, as the API decides (src/core/permissions.rules.ts `privacy.*`).
 */
export function PrivacyActions({ contact }: { contact: Contact }) {
  const me = useMe();
  const [erasing, setErasing] = useState(false);
  const decision = me.data ? decide(actorOf(me.data), 'privacy.erase') : null;
  const allowed = decision?.allowed ?? false;
  const why = decision && !decision.allowed ? decision.message : undefined;
  const exportUrl = `/api/v1/privacy/exports/${contact.id}`;
  // One tree shape whatever the status: the dialog stays mounted and shows the receipt of the erasure
  // that just turned the contact into a tombstone.
  return (
    <div className="stack">
      {contact.status === 'erased' ? (
        <p className="muted" role="status">This person was erased: only anonymous activity remains, counted in reports.</p>
      ) : (
        <>
          <div className="button-row">
            {allowed ? (
              <>
                <a className="button small" href={exportUrl} download>Export data (JSON)</a>
                <a className="button small" href={`${exportUrl}?format=csv`} download>Export data (CSV, zip)</a>
              </>
            ) : <button type="button" className="button small" disabled title={why}>Export data</button>}
            <button type="button" className="button small danger-ghost" disabled={!allowed} title={why} onClick={() => setErasing(true)}>Erase person…</button>
          </div>
          {why ? <p className="muted small">{why}</p> : null}
        </>
      )}
      <EraseDialog contact={contact} open={erasing} onClose={() => setErasing(false)} />
    </div>
  );
}

function EraseDialog({ contact, open, onClose }: { contact: Contact; open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  // What to type: the email when there is one (it proves which person), else ERASE.
  const expected = contact.email ?? 'ERASE';
  const erase = useMutation({
    mutationFn: () => api<ErasureReceiptDto>('POST', '/api/v1/privacy/erasures', { contact_id: contact.id, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
    onSuccess: () => { void queryClient.invalidateQueries(); },
  });
  const close = () => { setTyped(''); setReason(''); erase.reset(); onClose(); };
  const matches = typed.trim().toLowerCase() === expected.toLowerCase();
  return (
    <Modal title="Erase this person" open={open} onClose={close}>
      {erase.data ? (
        <div className="stack" role="status">
          <p><strong>Erased.</strong> {Object.values(erase.data.counts).reduce((a, b) => a + b, 0)} rows were deleted or anonymised and {erase.data.suppressed} identifiers
            are suppressed, so later visits and imports do not bring the person back until they consent again. The receipt is in the audit log.</p>
          <footer className="modal-footer"><button type="button" className="button primary" onClick={close}>Done</button></footer>
        </div>
      ) : (
        <form className="stack" aria-label="Erase person" onSubmit={(e) => { e.preventDefault(); if (matches) erase.mutate(); }}>
          <p>Everything stored about this person is removed in one step: name, email, traits, identities, consent, form fields, comments, IP addresses.
            Activities stay as anonymous facts so funnel and attribution totals do not change; deals keep their amounts.
            Connected CRMs and webhooks are told. <strong>This cannot be undone.</strong></p>
          <label className="field"><span>Request reference (optional, no personal data)</span>
            <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} placeholder="e.g. DSAR-2026-0042" />
          </label>
          <label className="field"><span>Type <code>{expected}</code> to confirm</span>
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
          </label>
          {erase.isError ? <ErrorNote error={erase.error} /> : null}
          <footer className="modal-footer">
            <button type="button" className="button ghost" onClick={close}>Cancel</button>
            <button type="submit" className="button danger" disabled={!matches || erase.isPending}>{erase.isPending ? 'Erasing…' : 'Erase person'}</button>
          </footer>
        </form>
      )}
    </Modal>
  );
}

export { ConsentHistory } from './consent-history.tsx';
