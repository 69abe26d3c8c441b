import { useState } from 'react';
import { LogActivityDialog } from './log-activity-dialog.tsx';

/** "Log activity" for a lead's page: the same dialog as the inbox's Log button, with its confirmation inline. */
export function LogActivityButton({ leadId, contactId, leadName }: { leadId: string; contactId: string; leadName: string }) {
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <button type="button" className="button small" onClick={() => { setDone(null); setOpen(true); }}>Log activity</button>
      <span aria-live="polite" className="muted small">{done}</span>
      {open ? <LogActivityDialog leadId={leadId} contactId={contactId} leadName={leadName} onClose={() => setOpen(false)} onDone={(m) => { setOpen(false); setDone(m); }} /> : null}
    </>
  );
}
