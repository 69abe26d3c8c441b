import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { ApiKey, CreatedApiKey } from '../../api/types.ts';
import { fetchAll } from '../../api/queries.ts';
import { formatDate } from '../../ui/format.ts';
import { Modal } from '../../ui/modal.tsx';
import { Card, ErrorNote, Loading } from '../../ui/states.tsx';

const scopeHelp: Record<string, string> = {
  ingest: 'write events only — safe to put in a web page: adds activities and fills empty traits, never changes what is known',
  'ingest:server': 'write events from your servers — traits and consent overwrite; never put it in a web page',
  read: 'read everything',
  write: 'read and change records; a machine key never does sales work (accept, reject) — use a personal key for that',
  admin: 'manage users and keys',
  metrics: 'scrape /metrics (Prometheus) — reads nothing else, safe in a monitoring config',
};

export const trackingSnippet = (origin: string, key: string) => `<script src="${origin}/t.js" data-key="${key}" async></script>`;

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button type="button" className="button small" aria-label={label}
      onClick={() => navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false))}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

function CreatedKey({ created }: { created: CreatedApiKey }) {
  const snippet = trackingSnippet(window.location.origin, created.key);
  return (
    <div className="secret-box" role="status" aria-label="New API key">
      <p><strong>Copy this key now.</strong> It is shown only once; Leadloop keeps only a hash.</p>
      <div className="code-row"><code aria-label="API key secret">{created.key}</code><CopyButton text={created.key} label="Copy API key" /></div>
      {created.scopes.includes('ingest') && !created.scopes.includes('ingest:server') ? (
        <>
          <p>Paste this tracking snippet into every page of your website, before <code>&lt;/body&gt;</code>:</p>
          <div className="code-row"><code aria-label="Tracking snippet">{snippet}</code><CopyButton text={snippet} label="Copy tracking snippet" /></div>
          <p>
            The snippet also records every form your visitors submit (as <code>form_id</code>: the form&apos;s <code>data-leadloop-form</code>,
            else its id or name, else the page path). Password, card, hidden and secret-looking fields are never sent; add{' '}
            <code>data-leadloop-ignore</code> to a form or a field to leave it out.
          </p>
        </>
      ) : null}
    </div>
  );
}

export function ApiKeysPanel() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['api-keys'], queryFn: () => fetchAll<ApiKey>('/api/v1/api-keys', {}) });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['ingest']);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['api-keys'] });
  const create = useMutation({
    mutationFn: () => api<CreatedApiKey>('POST', '/api/v1/api-keys', { name, scopes }),
    onSuccess: (key) => { setCreated(key); setName(''); void refresh(); },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<ApiKey>('DELETE', `/api/v1/api-keys/${id}`),
    onSettled: () => { setRevoking(null); void refresh(); },
  });
  const toggle = (s: string) => setScopes(scopes.includes(s) ? scopes.filter((x) => x !== s) : [...scopes, s]);
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };

  return (
    <div className="stack-lg">
      <Card title="Create an API key">
        <form onSubmit={submit} className="stack" aria-label="Create API key">
          <label className="field"><span>Key name</span><input required value={name} onChange={(e) => setName(e.target.value)} placeholder="Website tracking" /></label>
          <fieldset className="scopes">
            <legend>Scopes</legend>
            {Object.entries(scopeHelp).map(([s, help]) => (
              <label key={s} className="check"><input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} /> <strong>{s}</strong> <span className="muted">— {help}</span></label>
            ))}
          </fieldset>
          <div><button type="submit" className="button primary" disabled={!scopes.length || create.isPending}>Create key</button></div>
          {create.isError ? <ErrorNote error={create.error} /> : null}
        </form>
        {created ? <CreatedKey created={created} /> : null}
      </Card>
      <Card title="Keys">
        {list.isPending ? <Loading /> : list.isError ? <ErrorNote error={list.error} /> : (
          <table className="table">
            <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.map((k) => (
                <tr key={k.id} className={k.revoked_at ? 'revoked' : undefined}>
                  <td className="row-title">{k.name}</td><td><code>{k.prefix}…</code></td>
                  <td><div className="tags">{k.scopes.map((s) => <span key={s} className="tag">{s}</span>)}</div></td>
                  <td>{formatDate(k.created_at)}</td><td>{formatDate(k.last_used_at)}</td>
                  <td className="actions">{k.revoked_at ? <span className="muted">Revoked {formatDate(k.revoked_at)}</span> : (
                    <button type="button" className="button small danger-ghost" aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>Revoke</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Modal title="Revoke API key" open={!!revoking} onClose={() => setRevoking(null)}>
        <p>Revoke <strong>{revoking?.name}</strong>? Anything using it stops working immediately.</p>
        <footer className="modal-footer">
          <button type="button" className="button ghost" onClick={() => setRevoking(null)}>Cancel</button>
          <button type="button" className="button danger" disabled={revoke.isPending} onClick={() => revoking && revoke.mutate(revoking.id)}>Revoke key</button>
        </footer>
      </Modal>
    </div>
  );
}
