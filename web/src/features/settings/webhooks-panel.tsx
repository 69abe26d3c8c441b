import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { Modal } from '../../ui/modal.tsx';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { subscribableBy, webhookEventTypes, type WebhookEventType } from '../../../../src/core/webhooks/event-types.ts';
import { settingsKeys, useDeliveries, useWebhooks, type Webhook } from './settings-api.ts';

// A delivery log needs seconds: retries and replays land within the same minute.
const logTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const formatLogTime = (iso: string) => logTime.format(new Date(iso));

const kindLabels: Record<string, string> = { slack: 'Slack (incoming webhook)', json: 'JSON (Standard Webhooks)' };
type Kind = 'slack' | 'json';

function SecretBox({ hook, rotated = false }: { hook: Webhook; rotated?: boolean }) {
  return (
    <div className="secret-box" role="status" aria-label={rotated ? 'Rotated webhook secret' : 'New webhook secret'}>
      <p><strong>Copy the signing secret now.</strong> It is shown only once.
        {rotated && hook.previous_secret_expires_at
          ? ` Until ${formatLogTime(hook.previous_secret_expires_at)} every delivery is signed with both the old and this secret, so switch your receiver before then.`
          : rotated ? ' The old secret stopped signing now.' : ''}</p>
      <div className="code-row"><code aria-label="Signing secret">{hook.secret}</code></div>
    </div>
  );
}

/** Checkboxes for the event types a kind of endpoint can take. */
function EventPicker({ kind, value, onChange, label }: { kind: Kind; value: string[]; onChange: (v: string[]) => void; label: string }) {
  const allowed = subscribableBy(kind);
  const toggle = (t: string) => onChange(value.includes(t) ? value.filter((x) => x !== t) : [...value, t]);
  return (
    <fieldset className="scopes event-types" aria-label={label}>
      <legend>Events</legend>
      {(Object.entries(webhookEventTypes) as [WebhookEventType, string][]).filter(([t]) => allowed.includes(t)).map(([t, help]) => (
        <label key={t} className="check"><input type="checkbox" checked={value.includes(t)} onChange={() => toggle(t)} /> <code>{t}</code> <span className="muted">— {help}</span></label>
      ))}
    </fieldset>
  );
}

/** How receivers verify deliveries: the Standard Webhooks scheme, rotation, and which targets are refused. */
function SignatureHelp() {
  return (
    <Card title="How deliveries are signed">
      <div className="stack signature-help">
        <p>JSON endpoints receive each event as <code>{'{"type", "timestamp", "data"}'}</code>, signed per the
          open <a href="https://www.standardwebhooks.com" target="_blank" rel="noreferrer">Standard Webhooks</a> specification. Every request carries:</p>
        <ul>
          <li><code>webhook-id</code>: the event's id, the same on every retry and replay, so you can drop duplicates.</li>
          <li><code>webhook-timestamp</code>: when this attempt was sent (Unix seconds); refuse old ones to stop replayed requests.</li>
          <li><code>webhook-signature</code>: <code>v1,</code> + base64 HMAC-SHA256 of <code>id.timestamp.body</code>, keyed with your secret
            (the base64 after <code>whsec_</code>). During a secret rotation there are two, separated by a space: accept the request if either matches.</li>
        </ul>
        <p>Verify with any Standard Webhooks library, e.g. in Node <code>new Webhook(secret).verify(rawBody, headers)</code> from the
          <code> standardwebhooks</code> package. Failed deliveries (no answer in 5 s, or any status outside 2xx) are retried with growing
          delays for about 16 hours; every attempt is in the delivery log.</p>
        <p>Rotating a secret keeps the old one signing for the overlap you choose, so receivers switch without losing a delivery;
          choose “now” when a secret leaked. Addresses inside the network (loopback, private, link-local such as 169.254.169.254)
          are refused when you save and again at every delivery, unless the operator allows them (<code>LEADLOOP_OUTBOUND_ALLOW</code>).</p>
        <p className="muted small">Alert deliveries to JSON endpoints also keep the older <code>X-Leadloop-Signature: t=…,v1=…</code> header.</p>
      </div>
    </Card>
  );
}

function CreateWebhook() {
  const queryClient = useQueryClient();
  const [form, setForm] = useState<{ name: string; url: string; kind: Kind }>({ name: '', url: '', kind: 'json' });
  const [events, setEvents] = useState<string[]>(['alert.created']);
  const [created, setCreated] = useState<Webhook | null>(null);
  const create = useMutation({
    mutationFn: () => api<Webhook>('POST', '/api/v1/webhooks', { ...form, event_types: events }),
    onSuccess: (hook) => { setCreated(hook); setForm({ name: '', url: '', kind: form.kind }); void queryClient.invalidateQueries({ queryKey: settingsKeys.webhooks }); },
  });
  const setKind = (kind: Kind) => { setForm({ ...form, kind }); if (kind === 'slack') setEvents(['alert.created']); };
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <Card title="Add a webhook">
      <p className="hint">Slack endpoints get rep alerts (new sales-ready lead, reassignment, SLA reminder and breach, high intent) as messages.
        JSON endpoints get the events you choose — alerts, and lifecycle events for your CRM, n8n or Zapier — each as its own background delivery with retries.</p>
      <form className="stack" onSubmit={submit} aria-label="Create webhook">
        <div className="form-grid webhook-form">
          <label className="field"><span>Webhook name</span><input required maxLength={200} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="Sales Slack channel" /></label>
          <label className="field"><span>URL</span><input required type="url" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} placeholder="https://hooks.slack.com/services/…" /></label>
          <label className="field"><span>Format</span>
            <select value={form.kind} onChange={(e) => setKind(e.target.value as Kind)}>
              {Object.entries(kindLabels).map(([k, l]) => <option key={k} value={k}>{l}</option>)}
            </select>
          </label>
        </div>
        <EventPicker kind={form.kind} value={events} onChange={setEvents} label="Events for the new webhook" />
        <div className="form-actions"><button type="submit" className="button primary" disabled={create.isPending || events.length === 0}>Add webhook</button></div>
      </form>
      {create.isError ? <ErrorNote error={create.error} /> : null}
      {created?.secret ? <SecretBox hook={created} /> : null}
    </Card>
  );
}

const statusTone = (s: string) => (s === 'success' ? 'tag-green' : s === 'failed' ? 'tag-amber' : '');

function DeliveryLog({ hook }: { hook: Webhook }) {
  const deliveries = useDeliveries(hook.id);
  const [replayed, setReplayed] = useState<string[]>([]);
  const replay = useMutation({
    mutationFn: (id: string) => api<{ queued: boolean }>('POST', `/api/v1/webhooks/deliveries/${id}/replay`),
    onSuccess: (_, id) => setReplayed((r) => [...r, id]),
  });
  return (
    <Card title={`Delivery log: ${hook.name}`}>
      <p className="hint">Newest first; every attempt is logged. A replay sends the same alert again as a new delivery (it appears here when the worker has sent it).</p>
      {replay.isError ? <ErrorNote error={replay.error} /> : null}
      {deliveries.isPending ? <Loading /> : deliveries.isError ? <ErrorNote error={deliveries.error} /> : deliveries.data.length === 0 ? (
        <EmptyState title="No deliveries yet">The first alert after this webhook was added shows up here.</EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="table compact delivery-table" aria-label={`Deliveries of ${hook.name}`}>
            <thead><tr><th scope="col">Time</th><th scope="col">Status</th><th scope="col" className="num">HTTP</th><th scope="col" className="num">Attempt</th><th scope="col" className="num">Duration</th><th scope="col">Response</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {deliveries.data.map((d) => (
                <tr key={d.id}>
                  <td>{formatLogTime(d.at)}</td>
                  <td><span className={`tag ${statusTone(d.status)}`}>{d.status}</span></td>
                  <td className="num">{d.response_code ?? '—'}</td>
                  <td className="num">{d.attempt}</td>
                  <td className="num">{d.duration_ms} ms</td>
                  {/* Receiver-supplied text: rendered as text, never as HTML. */}
                  <td className="delivery-detail">
                    {d.error ? <div className="delivery-error">{d.error}</div> : null}
                    {d.response_snippet ? <div aria-label="Response">{d.response_snippet}</div> : d.error ? null : <span className="muted">no response body</span>}
                  </td>
                  <td className="actions">
                    {replayed.includes(d.id) ? <span className="muted small" role="status">Replay queued</span> : (
                      <button type="button" className="button small" disabled={replay.isPending} aria-label={`Replay delivery of ${formatLogTime(d.at)}, attempt ${d.attempt}`}
                        onClick={() => replay.mutate(d.id)}>Replay</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export function WebhooksPanel() {
  const queryClient = useQueryClient();
  const hooks = useWebhooks();
  const [open, setOpen] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: settingsKeys.webhooks });
  const toggle = useMutation({
    mutationFn: (h: Webhook) => api<Webhook>('PATCH', `/api/v1/webhooks/${h.id}`, { active: !h.active }),
    onSettled: () => refresh(),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api('DELETE', `/api/v1/webhooks/${id}`),
    // The dialog stays open on failure, showing why, so a refused delete is not mistaken for a done one.
    onSuccess: (_, id) => { setDeleting(null); if (open === id) setOpen(null); },
    onSettled: () => refresh(),
  });
  const selected = hooks.data?.find((h) => h.id === open);
  const [rotating, setRotating] = useState<Webhook | null>(null);
  const [editing, setEditing] = useState<{ hook: Webhook; events: string[] } | null>(null);
  return (
    <div className="stack-lg">
      <CreateWebhook />
      <Card title="Webhooks">
        {hooks.isPending ? <Loading /> : hooks.isError ? <ErrorNote error={hooks.error} /> : hooks.data.length === 0 ? (
          <EmptyState title="No webhooks yet">Add one above to get alerts in Slack or your own system.</EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table">
              <thead><tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Format</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {hooks.data.map((h) => (
                  <tr key={h.id} className={h.active ? undefined : 'revoked'}>
                    <td className="row-title">{h.name}</td>
                    <td className="url">{h.url}</td>
                    <td>{h.kind === 'slack' ? 'Slack' : 'JSON'}</td>
                    <td className="event-list">{h.event_types.map((t) => <code key={t}>{t}</code>)}</td>
                    <td>
                      {h.active ? <span className="tag tag-green">active</span> : <span className="tag tag-amber">paused</span>}
                      {h.previous_secret_expires_at ? <div className="muted small">old secret signs until {formatLogTime(h.previous_secret_expires_at)}</div> : null}
                    </td>
                    <td className="actions">
                      <div className="button-row">
                        <button type="button" className="button small" aria-pressed={open === h.id} aria-label={`Delivery log of ${h.name}`} onClick={() => setOpen(open === h.id ? null : h.id)}>Delivery log</button>
                        <button type="button" className="button small" disabled={toggle.isPending} aria-label={`${h.active ? 'Pause' : 'Resume'} ${h.name}`} onClick={() => toggle.mutate(h)}>{h.active ? 'Pause' : 'Resume'}</button>
                        {h.kind === 'json' ? <button type="button" className="button small" aria-label={`Events of ${h.name}`} onClick={() => setEditing({ hook: h, events: h.event_types })}>Events</button> : null}
                        <button type="button" className="button small" aria-label={`Rotate secret of ${h.name}`} onClick={() => setRotating(h)}>Rotate secret</button>
                        <button type="button" className="button small danger-ghost" aria-label={`Delete ${h.name}`} onClick={() => setDeleting(h)}>Delete</button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {toggle.isError ? <ErrorNote error={toggle.error} /> : null}
      </Card>
      {selected ? <DeliveryLog hook={selected} /> : null}
      <SignatureHelp />
      <RotateSecret hook={rotating} onClose={() => { setRotating(null); void refresh(); }} />
      <EditEvents editing={editing} onChange={setEditing} onDone={() => { setEditing(null); void refresh(); }} />
      <Modal title="Delete webhook" open={!!deleting} onClose={() => { setDeleting(null); remove.reset(); }}>
        <p>Delete <strong>{deleting?.name}</strong> and its delivery log? Pausing keeps the log.</p>
        {remove.isError ? <ErrorNote error={remove.error} /> : null}
        <footer className="modal-footer">
          <button type="button" className="button ghost" onClick={() => setDeleting(null)}>Cancel</button>
          <button type="button" className="button danger" disabled={remove.isPending} onClick={() => deleting && remove.mutate(deleting.id)}>Delete webhook</button>
        </footer>
      </Modal>
    </div>
  );
}

const overlaps: [number, string][] = [[24, '24 hours (recommended)'], [1, '1 hour'], [168, '7 days'], [0, 'Now: the old secret leaked']];

function RotateSecret({ hook, onClose }: { hook: Webhook | null; onClose: () => void }) {
  const [overlap, setOverlap] = useState(24);
  const [reason, setReason] = useState('');
  const rotate = useMutation({
    mutationFn: (h: Webhook) => api<Webhook>('POST', `/api/v1/webhooks/${h.id}/rotate-secret`, { overlap_hours: overlap, ...(reason ? { reason } : {}) }),
  });
  const close = () => { rotate.reset(); setReason(''); setOverlap(24); onClose(); };
  return (
    <Modal title={`Rotate the secret of ${hook?.name ?? ''}`} open={!!hook} onClose={close}>
      {rotate.data ? <SecretBox hook={rotate.data} rotated /> : (
        <form className="stack" aria-label="Rotate secret" onSubmit={(e) => { e.preventDefault(); if (hook) rotate.mutate(hook); }}>
          <p>A new secret signs every delivery from now on. During the overlap the old one signs too (two signatures in <code>webhook-signature</code>),
            so your receiver keeps verifying while you deploy the new secret.</p>
          <label className="field"><span>Old secret keeps signing for</span>
            <select value={overlap} onChange={(e) => setOverlap(Number(e.target.value))}>
              {overlaps.map(([h, l]) => <option key={h} value={h}>{l}</option>)}
            </select>
          </label>
          <label className="field"><span>Reason (audit log)</span><input maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Scheduled rotation" /></label>
          {rotate.isError ? <ErrorNote error={rotate.error} /> : null}
          <footer className="modal-footer">
            <button type="button" className="button ghost" onClick={close}>Cancel</button>
            <button type="submit" className="button primary" disabled={rotate.isPending}>Rotate secret</button>
          </footer>
        </form>
      )}
      {rotate.data ? <footer className="modal-footer"><button type="button" className="button primary" onClick={close}>Done</button></footer> : null}
    </Modal>
  );
}

function EditEvents({ editing, onChange, onDone }: { editing: { hook: Webhook; events: string[] } | null; onChange: (e: { hook: Webhook; events: string[] } | null) => void; onDone: () => void }) {
  const save = useMutation({
    mutationFn: (e: { hook: Webhook; events: string[] }) => api<Webhook>('PATCH', `/api/v1/webhooks/${e.hook.id}`, { event_types: e.events }),
    onSuccess: () => onDone(),
  });
  return (
    <Modal title={`Events sent to ${editing?.hook.name ?? ''}`} open={!!editing} onClose={() => { save.reset(); onChange(null); }}>
      {editing ? (
        <form className="stack" aria-label="Change events" onSubmit={(e) => { e.preventDefault(); save.mutate(editing); }}>
          <EventPicker kind={editing.hook.kind as Kind} value={editing.events} onChange={(events) => onChange({ ...editing, events })} label={`Events of ${editing.hook.name}`} />
          {save.isError ? <ErrorNote error={save.error} /> : null}
          <footer className="modal-footer">
            <button type="button" className="button ghost" onClick={() => onChange(null)}>Cancel</button>
            <button type="submit" className="button primary" disabled={save.isPending || editing.events.length === 0}>Save events</button>
          </footer>
        </form>
      ) : null}
    </Modal>
  );
}
