import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { Modal } from '../../ui/modal.tsx';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { settingsKeys, useDeliveries, useWebhooks, type Webhook } from './settings-api.ts';

// A delivery log needs seconds: retries and replays land within the same minute.
const logTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const formatLogTime = (iso: string) => logTime.format(new Date(iso));

const kindLabels: Record<string, string> = { slack: 'Slack (incoming webhook)', json: 'JSON (signed)' };

function SecretBox({ hook }: { hook: Webhook }) {
  return (
    <div className="secret-box" role="status" aria-label="New webhook secret">
      <p><strong>Copy the signing secret now.</strong> It is shown only once. Each request carries <code>X-Leadloop-Signature: t=…,v1=…</code>:
        the hex HMAC-SHA256 of <code>t.body</code> with this secret.</p>
      <div className="code-row"><code aria-label="Signing secret">{hook.secret}</code></div>
    </div>
  );
}

function CreateWebhook() {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', url: '', kind: 'json' });
  const [created, setCreated] = useState<Webhook | null>(null);
  const create = useMutation({
    mutationFn: () => api<Webhook>('POST', '/api/v1/webhooks', form),
    onSuccess: (hook) => { setCreated(hook); setForm({ name: '', url: '', kind: form.kind }); void queryClient.invalidateQueries({ queryKey: settingsKeys.webhooks }); },
  });
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <Card title="Add a webhook">
      <p className="hint">Webhooks receive every alert Leadloop raises (new sales-ready lead, reassignment, SLA reminder and breach, high-intent activity),
        each as its own background delivery with retries.</p>
      <form className="form-grid webhook-form" onSubmit={submit} aria-label="Create webhook">
        <label className="field"><span>Webhook name</span><input required maxLength={200} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="Sales Slack channel" /></label>
        <label className="field"><span>URL</span><input required type="url" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} placeholder="https://hooks.slack.com/services/…" /></label>
        <label className="field"><span>Format</span>
          <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}>
            {Object.entries(kindLabels).map(([k, l]) => <option key={k} value={k}>{l}</option>)}
          </select>
        </label>
        <div className="form-actions"><button type="submit" className="button primary" disabled={create.isPending}>Add webhook</button></div>
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
  return (
    <div className="stack-lg">
      <CreateWebhook />
      <Card title="Webhooks">
        {hooks.isPending ? <Loading /> : hooks.isError ? <ErrorNote error={hooks.error} /> : hooks.data.length === 0 ? (
          <EmptyState title="No webhooks yet">Add one above to get alerts in Slack or your own system.</EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table">
              <thead><tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Format</th><th scope="col">Status</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {hooks.data.map((h) => (
                  <tr key={h.id} className={h.active ? undefined : 'revoked'}>
                    <td className="row-title">{h.name}</td>
                    <td className="url">{h.url}</td>
                    <td>{h.kind === 'slack' ? 'Slack' : 'JSON'}</td>
                    <td>{h.active ? <span className="tag tag-green">active</span> : <span className="tag tag-amber">paused</span>}</td>
                    <td className="actions">
                      <div className="button-row">
                        <button type="button" className="button small" aria-pressed={open === h.id} aria-label={`Delivery log of ${h.name}`} onClick={() => setOpen(open === h.id ? null : h.id)}>Delivery log</button>
                        <button type="button" className="button small" disabled={toggle.isPending} aria-label={`${h.active ? 'Pause' : 'Resume'} ${h.name}`} onClick={() => toggle.mutate(h)}>{h.active ? 'Pause' : 'Resume'}</button>
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
