import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ConnectionDto, SyncLogDto, SyncReportDto } from '../../../../src/server/contract/integrations.contract.ts';
import { api, get } from '../../api/client.ts';
import { fetchAll } from '../../api/queries.ts';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';

/**
 * Settings › Integrations: connect Salesforce (sign in with Salesforce — OAuth web-server flow with
 * PKCE — or a certificate for JWT bearer) or HubSpot (private app token), see each
 * connector's state (a paused one says why, in the vendor's words), run a sync or a dry run, edit the
 * versioned mapping, and read the per-record sync log. CRM-supplied text is rendered as text.
 */
type Provider = 'salesforce' | 'hubspot';
const label: Record<Provider, string> = { salesforce: 'Salesforce', hubspot: 'HubSpot' };
const keys = { connections: ['integrations'] as const, log: (p: Provider) => ['integrations', p, 'log'] as const };
const time = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const when = (iso: string | null) => (iso ? time.format(new Date(iso)) : 'never');
const tone: Record<string, string> = { changed: 'tag-green', would_change: 'tag-blue', failed: 'tag-amber', unchanged: '', skipped: '' };

const useConnections = () => useQuery({ queryKey: keys.connections, queryFn: () => fetchAll<ConnectionDto>('/api/v1/integrations', {}) });
const useLog = (p: Provider) => useQuery({ queryKey: keys.log(p), queryFn: async () => (await get<{ data: SyncLogDto[] }>(`/api/v1/integrations/${p}/log?limit=50`)).data });

function LogTable({ entries, caption }: { entries: SyncLogDto[]; caption: string }) {
  return (
    <div className="table-scroll">
      <table className="table compact" aria-label={caption}>
        <thead><tr><th scope="col">Time</th><th scope="col">Direction</th><th scope="col">Record</th><th scope="col">Outcome</th><th scope="col">What</th><th scope="col" className="num">Attempt</th></tr></thead>
        <tbody>
          {entries.map((e, i) => (
            <tr key={e.id ?? i}>
              <td>{when(e.at)}</td>
              <td>{e.direction}</td>
              <td>{e.object_type}{e.external_id ? <> <code>{e.external_id}</code></> : null}</td>
              <td><span className={`tag ${tone[e.outcome] ?? ''}`}>{e.outcome.replace('_', ' ')}</span></td>
              <td>{e.action}{e.error ? <div className="delivery-error">{e.error}</div> : null}</td>
              <td className="num">{e.attempt}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ConnectionCard({ c }: { c: ConnectionDto }) {
  const queryClient = useQueryClient();
  const log = useLog(c.provider);
  const [report, setReport] = useState<SyncReportDto | null>(null);
  const [mapping, setMapping] = useState<string | null>(null);
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: keys.connections }), queryClient.invalidateQueries({ queryKey: keys.log(c.provider) })]);
  const sync = useMutation({
    mutationFn: (dryRun: boolean) => api<SyncReportDto>('POST', `/api/v1/integrations/${c.provider}/sync`, { dry_run: dryRun }),
    onSuccess: (r) => { setReport(r); void refresh(); },
  });
  const save = useMutation({
    mutationFn: (text: string) => api<{ version: number }>('PUT', `/api/v1/integrations/${c.provider}/mapping`, { mapping: JSON.parse(text) as unknown }),
    onSuccess: () => { setMapping(null); void refresh(); },
  });
  const usage = c.api_usage as { used?: number; limit?: number } | null;
  return (
    <Card title={`${label[c.provider]} — ${c.status === 'active' ? 'connected' : 'paused'}`}>
      <div className="stack">
      {c.status === 'paused' ? (
        <div className="secret-box" role="alert"><strong>Sync is paused.</strong> {c.paused_reason}</div>
      ) : null}
      <dl className="facts">
        <div><dt>Acting as</dt><dd>{c.account ?? '—'}</dd></div>
        <div><dt>Last sync</dt><dd>{when(c.last_sync_at)}</dd></div>
        <div><dt>Mapping</dt><dd>version {c.mapping_version}</dd></div>
        <div><dt>MQLs from</dt><dd>{when(c.push_since)}</dd></div>
        {usage?.limit ? <div><dt>API requests today</dt><dd>{usage.used} of {usage.limit}</dd></div> : null}
      </dl>
      <div className="form-actions">
        <button type="button" className="button primary" disabled={sync.isPending || c.status === 'paused'} onClick={() => sync.mutate(false)}>Sync now</button>
        <button type="button" className="button" disabled={sync.isPending || c.status === 'paused'} onClick={() => sync.mutate(true)}>Dry run</button>
        <button type="button" className="button" onClick={() => setMapping(JSON.stringify(c.mapping, null, 2))}>Edit mapping</button>
      </div>
      {sync.isError ? <ErrorNote error={sync.error} /> : null}
      {report ? (
        <div role="status" className="stack">
          <p><strong>{report.dry_run ? 'Dry run (nothing written)' : 'Sync'}: {report.outcome}.</strong> {report.message ?? ''}{' '}
            {report.dry_run ? `Would change ${report.counts.would_change}` : `Changed ${report.counts.changed}`}, unchanged {report.counts.unchanged}, failed {report.counts.failed}.</p>
          {report.entries.length ? <LogTable entries={report.entries} caption="This run" /> : null}
        </div>
      ) : null}
      {mapping !== null ? (
        <form className="stack" aria-label={`${label[c.provider]} mapping`} onSubmit={(e: FormEvent) => { e.preventDefault(); save.mutate(mapping); }}>
          <label className="field"><span>Mapping (JSON; saving makes version {c.mapping_version + 1})</span>
            <textarea rows={14} spellCheck={false} value={mapping} onChange={(e) => setMapping(e.target.value)} /></label>
          {save.isError ? <ErrorNote error={save.error} /> : null}
          <div className="form-actions"><button type="submit" className="button primary" disabled={save.isPending}>Save mapping</button>
            <button type="button" className="button" onClick={() => setMapping(null)}>Cancel</button></div>
        </form>
      ) : null}
      <h3>Sync log</h3>
      {log.isPending ? <Loading /> : log.isError ? <ErrorNote error={log.error} /> : log.data.length === 0
        ? <EmptyState title="No records synced yet">Run a sync, or wait for the next MQL.</EmptyState>
        : <LogTable entries={log.data} caption={`${label[c.provider]} sync log`} />}
      </div>
    </Card>
  );
}

/** Where Salesforce sends the admin back (register it as the connected app's callback URL, exactly). */
const callbackUrl = () => `${window.location.origin}/settings/integrations`;

/**
 * Salesforce's recommended way for a web app: the admin signs in to Salesforce and allows access
 * (OAuth 2.0 web-server flow with PKCE); Leadloop keeps only an encrypted refresh token.
 */
function SalesforceSignInForm() {
  const [app, setApp] = useState({ login_url: 'https://login.salesforce.com', client_id: '', client_secret: '' });
  const start = useMutation({
    mutationFn: () => api<{ authorize_url: string }>('POST', '/api/v1/integrations/salesforce/authorize', app),
    // A full-page visit: Salesforce's sign-in page cannot be framed, and it sends the browser back here.
    onSuccess: (r) => { window.location.assign(r.authorize_url); },
  });
  return (
    <form className="form-grid" aria-label="Connect Salesforce" onSubmit={(e: FormEvent) => { e.preventDefault(); start.mutate(); }}>
      <label className="field"><span>Login URL</span><input required type="url" value={app.login_url} onChange={(e) => setApp({ ...app, login_url: e.target.value })} /></label>
      <label className="field"><span>Consumer key</span><input required autoComplete="off" value={app.client_id} onChange={(e) => setApp({ ...app, client_id: e.target.value })} /></label>
      <label className="field"><span>Consumer secret</span><input required type="password" autoComplete="off" value={app.client_secret} onChange={(e) => setApp({ ...app, client_secret: e.target.value })} /></label>
      <p className="hint" style={{ gridColumn: '1 / -1', margin: 0, overflowWrap: 'anywhere' }}>Callback URL to register on the connected app: <code>{callbackUrl()}</code></p>
      <div className="form-actions"><button type="submit" className="button primary" disabled={start.isPending}>{start.isPending ? 'Opening Salesforce…' : 'Connect Salesforce'}</button></div>
      {start.isError ? <ErrorNote error={start.error} /> : null}
    </form>
  );
}

/** A server-to-server connection: a connected app with a certificate (OAuth 2.0 JWT bearer), no sign-in. */
function SalesforceCertificateForm() {
  const queryClient = useQueryClient();
  const [sf, setSf] = useState({ login_url: 'https://login.salesforce.com', client_id: '', username: '', private_key: '' });
  const connect = useMutation({
    mutationFn: () => api<ConnectionDto>('POST', '/api/v1/integrations/salesforce/connect', sf),
    onSuccess: () => { setSf({ ...sf, private_key: '' }); void queryClient.invalidateQueries({ queryKey: keys.connections }); },
  });
  return (
    <details className="stack">
      <summary>Server-to-server instead (certificate, JWT bearer)</summary>
      <p className="hint">A connected app with “Use digital signatures”, pre-authorized for an integration user. The key is checked by signing in, then stored encrypted.</p>
      <form className="form-grid" aria-label="Connect Salesforce with a certificate" onSubmit={(e: FormEvent) => { e.preventDefault(); connect.mutate(); }}>
        <label className="field"><span>Login URL</span><input required type="url" value={sf.login_url} onChange={(e) => setSf({ ...sf, login_url: e.target.value })} /></label>
        <label className="field"><span>Consumer key</span><input required value={sf.client_id} onChange={(e) => setSf({ ...sf, client_id: e.target.value })} /></label>
        <label className="field"><span>Integration username</span><input required value={sf.username} onChange={(e) => setSf({ ...sf, username: e.target.value })} /></label>
        <label className="field"><span>Private key (PEM)</span><textarea required rows={4} spellCheck={false} value={sf.private_key} onChange={(e) => setSf({ ...sf, private_key: e.target.value })} placeholder="-----BEGIN PRIVATE KEY-----" /></label>
        <div className="form-actions"><button type="submit" className="button" disabled={connect.isPending}>Connect with the certificate</button></div>
      </form>
      {connect.isError ? <ErrorNote error={connect.error} /> : null}
    </details>
  );
}

function HubspotConnectForm() {
  const queryClient = useQueryClient();
  const [token, setToken] = useState('');
  const connect = useMutation({
    mutationFn: () => api<ConnectionDto>('POST', '/api/v1/integrations/hubspot/connect', { access_token: token }),
    onSuccess: () => { setToken(''); void queryClient.invalidateQueries({ queryKey: keys.connections }); },
  });
  return (
    <>
      <form className="form-grid" aria-label="Connect HubSpot" onSubmit={(e: FormEvent) => { e.preventDefault(); connect.mutate(); }}>
        <label className="field"><span>Private app access token</span><input required type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} /></label>
        <div className="form-actions"><button type="submit" className="button primary" disabled={connect.isPending}>Connect HubSpot</button></div>
      </form>
      {connect.isError ? <ErrorNote error={connect.error} /> : null}
    </>
  );
}

function ConnectForm({ provider }: { provider: Provider }) {
  return (
    <Card title={`Connect ${label[provider]}`}>
      <div className="stack">
        <p className="hint">{provider === 'salesforce'
          ? 'Sign in to Salesforce and allow access: you need the consumer key and secret of a connected app with the “api” and “refresh_token, offline_access” scopes. Leadloop keeps an encrypted refresh token, never your password.'
          : 'A private app token with contacts read/write, deals read and owners read scopes. It is checked by calling HubSpot, then stored encrypted.'}</p>
        {provider === 'salesforce' ? <><SalesforceSignInForm /><SalesforceCertificateForm /></> : <HubspotConnectForm />}
      </div>
    </Card>
  );
}

/**
 * Back from Salesforce's sign-in (`?code=…&state=…`, or `?error=…`): the code goes to Leadloop with
 * this session, once, and the address bar is cleaned so a reload does not send it again.
 */
function useSalesforceCallback(): { pending: boolean; outcome: { ok: true; account: string | null } | { ok: false; error: unknown } | null } {
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const sent = useRef(false);
  const [outcome, setOutcome] = useState<{ ok: true; account: string | null } | { ok: false; error: unknown } | null>(null);
  const state = params.get('state');
  const code = params.get('code');
  const error = params.get('error');
  const pending = Boolean(state && (code || error)) && outcome === null;
  useEffect(() => {
    if (!state || !(code || error) || sent.current) return;
    sent.current = true;
    const body = { state, ...(code ? { code } : {}), ...(error ? { error, error_description: params.get('error_description') ?? undefined } : {}) };
    api<ConnectionDto>('POST', '/api/v1/integrations/salesforce/callback', body)
      .then((c) => { setOutcome({ ok: true, account: c.account }); return queryClient.invalidateQueries({ queryKey: keys.connections }); })
      .catch((e: unknown) => setOutcome({ ok: false, error: e }))
      .finally(() => navigate('/settings/integrations', { replace: true }));
  }, [state, code, error, params, navigate, queryClient]);
  return { pending, outcome };
}

export function IntegrationsPanel() {
  const connections = useConnections();
  const callback = useSalesforceCallback();
  if (connections.isPending || callback.pending) return <Loading label={callback.pending ? 'Finishing the Salesforce connection…' : undefined} />;
  if (connections.isError) return <ErrorNote error={connections.error} />;
  const byProvider = new Map(connections.data.map((c) => [c.provider, c]));
  return (
    <div className="stack-lg">
      {callback.outcome?.ok ? <p role="status" className="notice">Salesforce connected{callback.outcome.account ? ` as ${callback.outcome.account}` : ''}.</p> : null}
      {callback.outcome && !callback.outcome.ok ? <ErrorNote error={callback.outcome.error} /> : null}
      {(['salesforce', 'hubspot'] as const).map((p) => {
        const c = byProvider.get(p);
        return (
          <div key={p} className="stack-lg">
            {c ? <ConnectionCard c={c} /> : null}
            {!c || c.status === 'paused' ? <ConnectForm provider={p} /> : null}
          </div>
        );
      })}
    </div>
  );
}
