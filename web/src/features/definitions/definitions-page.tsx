import { useEffect, useMemo, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { defaultDefinition } from '../../../../src/core/definitions/default-definition.ts';
import { api } from '../../api/client.ts';
import type { Me } from '../../api/types.ts';
import { humanize } from '../../ui/format.ts';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { BacktestPanel } from './backtest-panel.tsx';
import { useApprovers } from '../settings/approvers-panel.tsx';
import {
  asBacktest, asDefinition, base, defKeys, sideOfRole, sidesOf, useDefinitions, useDiff, useHistory, usePickers, type Definition,
} from './definitions-api.ts';
import { namesOf, withTitles } from './definition-words.ts';
import { useModels } from './models-api.ts';
import { DraftEditor, parse, serialize, type Format } from './draft-editor.tsx';
import { PlainWords } from './plain-words.tsx';
import { Approvals, VersionHistory } from './version-history.tsx';

const open = (d: Definition) => d.status === 'draft' || d.status === 'proposed' || d.status === 'approved';
const yearAgo = () => { const d = new Date(); d.setUTCFullYear(d.getUTCFullYear() - 1); return d; };

/** The definition workspace: the active agreement in words, the draft being worked on, sign-off and history. */
export function DefinitionsPage({ me }: { me: Me }) {
  const defs = useDefinitions();
  const history = useHistory();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: defKeys.list });
  const canWrite = me.permissions.includes('write');

  const active = defs.data?.find((d) => d.status === 'active') ?? null;
  const working = defs.data?.find(open) ?? null;
  const createDraft = useMutation({
    mutationFn: (document: Record<string, unknown>) => api<Definition>('POST', base, { document }),
    onSuccess: (d) => { setNotice(`Draft v${d.version} created from the ${active ? 'active' : 'starter'} definition.`); void refresh(); },
  });

  if (defs.isPending) return <main className="page"><Loading /></main>;
  if (defs.isError) return <main className="page"><ErrorNote error={defs.error} /></main>;
  return (
    <main className="page">
      <header className="page-header">
        <div>
          <h1>Lead definitions</h1>
          <p className="muted">The agreement between marketing and sales on what a sales-ready lead is: versioned, signed by both, backtested.</p>
          <nav aria-label="Definitions sections" className="small"><Link to="/definitions/models">Models: conversion models trained on your history</Link></nav>
        </div>
        {canWrite && active && !working ? (
          <button type="button" className="button primary" disabled={createDraft.isPending} onClick={() => createDraft.mutate(active.document)}>New draft from active</button>
        ) : null}
        {canWrite && !active && !working ? (
          <button type="button" className="button primary" disabled={createDraft.isPending}
            onClick={() => createDraft.mutate(defaultDefinition as unknown as Record<string, unknown>)}>New draft from the starter definition</button>
        ) : null}
      </header>
      <div className="notice-slot" aria-live="polite">{notice ? <p className="notice">{notice}</p> : null}</div>
      {createDraft.isError ? <ErrorNote error={createDraft.error} /> : null}
      {/* The version being worked on takes the full width: its form needs the room, history can wait below. */}
      {working ? <div className="def-working"><WorkingVersion key={working.id} def={working} me={me} hasActive={!!active} onNotice={setNotice} /></div> : null}
      <div className="def-grid">
        <div className="stack-lg">
          {active ? (
            <Card title={`Active definition · v${active.version}`}>
              <p className="muted small">{active.name}</p>
              <ActiveGovernance key={active.id} def={active} me={me} onNotice={setNotice} />
              <ActiveWords def={active} />
            </Card>
          ) : <EmptyState title="No active definition.">Nothing is scored until a definition is signed by marketing and sales and activated.</EmptyState>}
        </div>
        <div className="stack-lg">
          {history.isPending ? <Loading /> : history.isError ? <ErrorNote error={history.error} /> : <VersionHistory entries={history.data} />}
        </div>
      </div>
    </main>
  );
}

/** The active agreement in words, content and forms by their titles. */
function ActiveWords({ def }: { def: Definition }) {
  const pickers = usePickers();
  const names = useMemo(() => namesOf(pickers.data), [pickers.data]);
  return <PlainWords def={asDefinition(def.document)} names={names} />;
}

function WorkingVersion({ def, me, hasActive, onNotice }: { def: Definition; me: Me; hasActive: boolean; onNotice: (s: string) => void }) {
  const queryClient = useQueryClient();
  const [format, setFormat] = useState<Format>('json');
  const pretty = serialize(def.document, format);
  const [text, setText] = useState(pretty);
  // A new document from the server (after a save) replaces the editor's text; a format switch alone does not.
  useEffect(() => setText(serialize(def.document, format)), [def.document]);
  // Switching format converts what is in the editor (unsaved edits included) when it parses.
  const changeFormat = (next: Format) => {
    const doc = parse(text, format);
    if (!doc) return;
    setFormat(next);
    setText(serialize(doc, next));
  };
  const [comment, setComment] = useState('');
  const dirty = text !== pretty;
  const isDraft = def.status === 'draft';
  const canWrite = me.permissions.includes('write');
  const approvers = useApprovers();
  const mySides = sidesOf(me.user?.id, approvers.data);
  const isAdminUser = me.user?.role === 'admin';
  // A draft belongs to its author's side: only that side (or an admin) edits, proposes or withdraws it.
  const mySide = !def.owner_side || isAdminUser || sideOfRole(me.user?.role) === def.owner_side;
  const canSign = mySides.length > 0 && def.status === 'proposed';
  const backtested = def.backtest_revision !== null && def.backtest_revision === def.revision;
  const signed = def.approvals.some((a) => a.user_id === me.user?.id && a.decision === 'approve');
  const diff = useDiff(def.id, hasActive);
  const pickers = usePickers();
  const names = useMemo(() => namesOf(pickers.data), [pickers.data]);
  const models = useModels();
  // The diff names models by id; people know them by version.
  const modelNames = (t: string) => (models.data ?? []).reduce((acc, m) => acc.replaceAll(`model ${m.id}`, `model v${m.version}`), t);

  const act = useMutation({
    mutationFn: async ({ path, body }: { path: string; body?: unknown; done: string }) => api<unknown>(path.startsWith('PATCH') ? 'PATCH' : 'POST', `${base}/${def.id}${path.replace(/^PATCH/, '')}`, body),
    onSuccess: async (_r, v) => {
      onNotice(v.done);
      await queryClient.invalidateQueries({ queryKey: ['definitions'] });
    },
  });
  const run = (path: string, done: string, body?: unknown) => act.mutate({ path, body, done });
  const backtest = asBacktest(def.backtest);
  const missing = def.sign_off.missing.map((g) => g.join(' or ')).join(' and ');

  return (
    <Card title={`${humanize(def.status)} · v${def.version}`} actions={<span className={`badge status-${def.status}`}>{humanize(def.status)}</span>}>
      <div className="stack">
        <p className="muted small">{def.name}{def.sign_off.complete ? ' · fully signed' : missing ? ` · needs sign-off from ${missing}` : ''}</p>
        {hasActive ? (
          <section aria-label="Changes from active">
            <h3 className="subhead">What changes from the active version</h3>
            {diff.isPending ? <Loading /> : diff.isError ? <ErrorNote error={diff.error} /> : diff.data.changes.length === 0 ? (
              <p className="small muted">Nothing yet: the same as the active version.</p>
            ) : (
              <ul className="change-list">{diff.data.changes.map((c, i) => <li key={i}><span className="tag">{humanize(c.area)}</span> {modelNames(withTitles(c.text, names))}</li>)}</ul>
            )}
          </section>
        ) : null}
        <DraftEditor text={text} format={format} onText={setText} onFormat={changeFormat} readOnly={!isDraft || !canWrite || !mySide} />
        {isDraft && !mySide ? <p className="small muted">This is a {def.owner_side} draft: only {def.owner_side} (or an admin) can change or propose it. Comment when it is proposed, or start your own draft once it is settled.</p> : null}
        {act.isError ? <ErrorNote error={act.error} /> : null}
        {canWrite ? (
          <div className="button-row">
            {isDraft && mySide ? <button type="button" className="button primary" disabled={!dirty || act.isPending}
              onClick={() => run('PATCH', `Saved v${def.version}.`, { text, format })}>Save</button> : null}
            {isDraft && dirty ? <button type="button" className="button ghost" onClick={() => setText(pretty)}>Discard changes</button> : null}
            <button type="button" className="button" disabled={dirty || act.isPending}
              onClick={() => run('/backtest', 'Backtest finished.', { from: yearAgo().toISOString(), to: new Date().toISOString() })}>
              {act.isPending && act.variables?.path === '/backtest' ? 'Running backtest…' : 'Run backtest'}
            </button>
            {isDraft && mySide ? <button type="button" className="button" disabled={dirty || !backtested || act.isPending}
              title={backtested ? undefined : 'Run a backtest of this revision first'}
              onClick={() => run('/propose', `Proposed v${def.version} for sign-off.`)}>Propose</button> : null}
            {def.status === 'proposed' && mySide ? <button type="button" className="button ghost" disabled={act.isPending} onClick={() => run('/withdraw', 'Withdrawn to draft.')}>Withdraw</button> : null}
            {def.status === 'approved' && def.sign_off.complete && (mySides.length > 0 || isAdminUser) ? (
              <button type="button" className="button primary" disabled={act.isPending} onClick={() => run('/activate', `v${def.version} is now active.`)}>Activate</button>
            ) : null}
          </div>
        ) : null}
        {dirty ? <p className="small muted">Save the draft before running a backtest or proposing it.</p> : null}
        {isDraft && !dirty && !backtested ? (
          <p className="small muted" role="note">
            {def.backtest_revision === null ? 'Backtested before adoption: run a backtest of this draft, then propose it.'
              : `Edited since its backtest (revision ${def.revision}, backtest of revision ${def.backtest_revision}): run the backtest again before proposing.`}
          </p>
        ) : null}
        {backtest ? <BacktestPanel result={backtest} /> : null}
        <section aria-label="Sign-off">
          <h3 className="subhead">Sign-off</h3>
          <Approvals approvals={def.approvals} />
          {canSign && canWrite && !signed ? (
            <form className="stack sign-form" onSubmit={(e) => e.preventDefault()}>
              <label className="field"><span>Comment</span>
                <textarea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Required when refusing: what to change" />
              </label>
              <div className="button-row">
                <button type="button" className="button primary" disabled={act.isPending}
                  onClick={() => run('/approvals', 'Approved.', { decision: 'approve', comment: comment || null })}>Approve</button>
                <button type="button" className="button danger" disabled={act.isPending || !comment.trim()}
                  onClick={() => run('/approvals', 'Refused: the version is back to draft.', { decision: 'refuse', comment })}>Refuse</button>
              </div>
            </form>
          ) : null}
        </section>
      </div>
    </Card>
  );
}

/**
 * Retiring the active definition stops scoring for everyone, so it is a change of the agreement: an
 * approver requests it with a reason and the other side approves (or refuses). An admin's emergency
 * stop acts at once, with a reason, and both sides' approvers are emailed.
 */
function ActiveGovernance({ def, me, onNotice }: { def: Definition; me: Me; onNotice: (s: string) => void }) {
  const queryClient = useQueryClient();
  const approvers = useApprovers();
  const mySides = sidesOf(me.user?.id, approvers.data);
  const isAdminUser = me.user?.role === 'admin' && me.permissions.includes('admin');
  const [reason, setReason] = useState('');
  const [stopReason, setStopReason] = useState('');
  const [comment, setComment] = useState('');
  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body: unknown; done: string }) => api<unknown>('POST', `${base}/${def.id}${path}`, body),
    onSuccess: async (_r, v) => { onNotice(v.done); setReason(''); setStopReason(''); setComment(''); await queryClient.invalidateQueries({ queryKey: ['definitions'] }); },
  });
  const retirement = def.retirement;
  const signedRetirement = retirement?.approvals.some((a) => a.user_id === me.user?.id);
  const canAnswer = !!retirement && !signedRetirement && mySides.some((s) => retirement.missing.some((g) => g.includes(s)));
  if (!mySides.length && !isAdminUser && !retirement) return null;
  return (
    <section className="stack retire-box" aria-label="Retire the active definition">
      {act.isError ? <ErrorNote error={act.error} /> : null}
      {retirement ? (
        <div className="notice warning" role="status">
          <strong>Retirement requested</strong> · {retirement.reason}
          <div className="small muted">Still needs approval from {retirement.missing.map((g) => g.join(' or ')).join(' and ') || 'nobody'}; scoring goes on until then.</div>
          {canAnswer ? (
            <div className="stack">
              <label className="field"><span>Comment</span><textarea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Required when refusing" /></label>
              <div className="button-row">
                <button type="button" className="button danger" disabled={act.isPending}
                  onClick={() => act.mutate({ path: '/approvals', body: { decision: 'approve', comment: comment || null }, done: `v${def.version} retired: scoring has stopped.` })}>Approve retirement</button>
                <button type="button" className="button ghost" disabled={act.isPending || !comment.trim()}
                  onClick={() => act.mutate({ path: '/approvals', body: { decision: 'refuse', comment }, done: 'Retirement refused: the definition stays active.' })}>Refuse</button>
              </div>
            </div>
          ) : null}
        </div>
      ) : mySides.length ? (
        <details>
          <summary className="small">Request retirement…</summary>
          <div className="stack">
            <p className="small muted">Nothing is scored while no definition is active. The other side must approve before it takes effect.</p>
            <label className="field"><span>Why retire it?</span><textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} /></label>
            <div><button type="button" className="button" disabled={act.isPending || !reason.trim()}
              onClick={() => act.mutate({ path: '/retire', body: { reason }, done: 'Retirement requested: waiting for the other side.' })}>Request retirement</button></div>
          </div>
        </details>
      ) : null}
      {isAdminUser ? (
        <details>
          <summary className="small">Emergency stop (admins)…</summary>
          <div className="stack">
            <p className="small muted">Retires v{def.version} now, without sign-off. It is recorded in the audit log and both sides&apos; approvers are emailed.</p>
            <label className="field"><span>Reason (sent to the approvers)</span><textarea rows={2} value={stopReason} onChange={(e) => setStopReason(e.target.value)} /></label>
            <div><button type="button" className="button danger" disabled={act.isPending || !stopReason.trim()}
              onClick={() => act.mutate({ path: '/emergency-stop', body: { reason: stopReason }, done: `Emergency stop: v${def.version} retired; the approvers were notified.` })}>Stop scoring now</button></div>
          </div>
        </details>
      ) : null}
    </section>
  );
}
