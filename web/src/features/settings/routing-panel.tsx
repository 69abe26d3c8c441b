import { useMemo, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../../api/client.ts';
import { keys, useUsers } from '../../api/queries.ts';
import type { User } from '../../api/types.ts';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { Card, ErrorNote, Loading } from '../../ui/states.tsx';
import { settingsKeys, useRepSettings, useRouting, useRoutingVersions, useTeams, type RepSettings, type RoutingConfig, type RoutingRule } from './settings-api.ts';
import { describeRule } from './settings-words.ts';

type Kind = RoutingRule['kind'];
const kindLabels: Record<Kind, string> = {
  account_owner: 'Account owner', territory: 'Territory (conditions)', round_robin: 'Round robin in a team', fallback_queue: 'Fallback queue',
};

/** A rule as the form edits it: every field a string, lists comma-separated. */
type Draft = {
  key: number; kind: Kind; respectCapacity: boolean; name: string; countries: string; regions: string; industries: string;
  productInterests: string; minEmployees: string; maxEmployees: string; assignTo: 'team' | 'rep'; team: string; rep: string; queue: string;
};
let nextKey = 1;
const blank = (kind: Kind): Draft => ({
  key: nextKey++, kind, respectCapacity: false, name: '', countries: '', regions: '', industries: '', productInterests: '',
  minEmployees: '', maxEmployees: '', assignTo: 'team', team: '', rep: '', queue: 'unassigned',
});

function toDraft(rule: RoutingRule): Draft {
  const d = blank(rule.kind);
  switch (rule.kind) {
    case 'account_owner': return { ...d, respectCapacity: rule.respectCapacity };
    case 'round_robin': return { ...d, team: rule.team };
    case 'fallback_queue': return { ...d, queue: rule.queue };
    case 'territory': {
      const w = rule.when;
      return {
        ...d, name: rule.name, countries: w.countries?.join(', ') ?? '', regions: w.regions?.join(', ') ?? '', industries: w.industries?.join(', ') ?? '',
        productInterests: w.productInterests?.join(', ') ?? '', minEmployees: w.employeeCount?.min?.toString() ?? '', maxEmployees: w.employeeCount?.max?.toString() ?? '',
        ...('team' in rule.assign ? { assignTo: 'team' as const, team: rule.assign.team } : { assignTo: 'rep' as const, rep: rule.assign.rep }),
      };
    }
    // Pasted JSON is not checked by the type system: say what is wrong instead of breaking the form.
    default: throw new Error(`Unknown rule kind ${JSON.stringify((rule as { kind?: unknown }).kind)}: use account_owner, territory, round_robin or fallback_queue.`);
  }
}

const names = (s: string) => {
  const xs = s.split(',').map((x) => x.trim()).filter(Boolean);
  return xs.length ? xs : undefined;
};
const int = (s: string) => (s.trim() === '' ? undefined : Number(s));

/** The API's rule shape; the server validates it and answers errors with their paths. */
function fromDraft(d: Draft): RoutingRule {
  switch (d.kind) {
    case 'account_owner': return { kind: 'account_owner', respectCapacity: d.respectCapacity };
    case 'round_robin': return { kind: 'round_robin', team: d.team.trim() };
    case 'fallback_queue': return { kind: 'fallback_queue', queue: d.queue.trim() };
    case 'territory': {
      const min = int(d.minEmployees);
      const max = int(d.maxEmployees);
      return {
        kind: 'territory', name: d.name.trim(),
        when: {
          countries: names(d.countries), regions: names(d.regions), industries: names(d.industries), productInterests: names(d.productInterests),
          employeeCount: min === undefined && max === undefined ? undefined : { min, max },
        },
        assign: d.assignTo === 'team' ? { team: d.team.trim() } : { rep: d.rep },
      };
    }
  }
}

const userNamer = (users: User[] | undefined) => (id: string) => users?.find((u) => u.id === id)?.name ?? `user ${id.slice(0, 8)}…`;

function RulesInWords({ rules, userName }: { rules: RoutingRule[]; userName: (id: string) => string }) {
  return <ol className="routing-words">{rules.map((r, i) => <li key={i}>{describeRule(r, userName)}</li>)}</ol>;
}

function RuleFields({ d, n, set, reps, teamListId }: { d: Draft; n: number; set: (patch: Partial<Draft>) => void; reps: User[]; teamListId: string }) {
  const text = (field: keyof Draft, label: string, placeholder?: string) => (
    <label className="field"><span>{label}</span>
      <input value={d[field] as string} placeholder={placeholder} aria-label={`Rule ${n} ${label.toLowerCase()}`} onChange={(e) => set({ [field]: e.target.value })} />
    </label>
  );
  switch (d.kind) {
    case 'account_owner':
      return (
        <label className="check"><input type="checkbox" checked={d.respectCapacity} onChange={(e) => set({ respectCapacity: e.target.checked })} aria-label={`Rule ${n}: skip owners at capacity`} />
          Skip the owner when at capacity</label>
      );
    case 'round_robin':
      return <div className="rule-fields"><label className="field"><span>Team</span><input list={teamListId} required value={d.team} aria-label={`Rule ${n} team`} onChange={(e) => set({ team: e.target.value })} /></label></div>;
    case 'fallback_queue':
      return <div className="rule-fields">{text('queue', 'Queue')}</div>;
    case 'territory':
      return (
        <div className="rule-fields">
          {text('name', 'Name', 'Enterprise')}
          {text('countries', 'Countries', 'DE, AT, CH')}
          {text('regions', 'Regions', 'EMEA')}
          {text('industries', 'Industries', 'SaaS, Fintech')}
          <label className="field"><span>Employees at least</span><input type="number" min={0} value={d.minEmployees} aria-label={`Rule ${n} employees at least`} onChange={(e) => set({ minEmployees: e.target.value })} /></label>
          <label className="field"><span>Employees at most</span><input type="number" min={0} value={d.maxEmployees} aria-label={`Rule ${n} employees at most`} onChange={(e) => set({ maxEmployees: e.target.value })} /></label>
          {text('productInterests', 'Product interests', 'Analytics')}
          <label className="field"><span>Assign to</span>
            <select value={d.assignTo} aria-label={`Rule ${n} assign to`} onChange={(e) => set({ assignTo: e.target.value as Draft['assignTo'] })}>
              <option value="team">a team (round robin)</option><option value="rep">one rep</option>
            </select>
          </label>
          {d.assignTo === 'team'
            ? <label className="field"><span>Team</span><input list={teamListId} value={d.team} aria-label={`Rule ${n} team`} onChange={(e) => set({ team: e.target.value })} /></label>
            : <label className="field"><span>Rep</span>
                <select value={d.rep} aria-label={`Rule ${n} rep`} onChange={(e) => set({ rep: e.target.value })}>
                  <option value="">Choose a rep…</option>
                  {reps.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
                </select>
              </label>}
        </div>
      );
  }
}

function RoutingEditor({ current, users, teamNames, onDone }: { current: RoutingConfig; users: User[]; teamNames: string[]; onDone: (savedVersion?: number | null) => void }) {
  const queryClient = useQueryClient();
  const [drafts, setDrafts] = useState<Draft[]>(() => current.rules.map(toDraft));
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [json, setJson] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const reps = users.filter((u) => u.role === 'sales' || u.role === 'sales_manager');
  const userName = userNamer(users);
  const teamListId = 'routing-teams';
  const save = useMutation({
    mutationFn: (rules: unknown) => api<RoutingConfig>('PUT', '/api/v1/routing', { rules }),
    onSuccess: (saved) => {
      queryClient.setQueryData(settingsKeys.routing, saved);
      void queryClient.invalidateQueries({ queryKey: settingsKeys.routingVersions });
      onDone(saved.version);
    },
  });
  const set = (i: number) => (patch: Partial<Draft>) => setDrafts(drafts.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...drafts];
    [next[i], next[i + by]] = [next[i + by] as Draft, next[i] as Draft];
    setDrafts(next);
  };
  const remove = (i: number) => setDrafts(drafts.filter((_, j) => j !== i));
  // New rules go before the fallback queue, which always stays last.
  const add = () => setDrafts([...drafts.slice(0, -1), blank('territory'), ...drafts.slice(-1)]);
  const toJson = () => { setJson(JSON.stringify(drafts.map(fromDraft), null, 2)); setJsonError(null); setMode('json'); };
  const toForm = () => {
    try {
      const parsed = JSON.parse(json) as unknown;
      if (!Array.isArray(parsed)) throw new Error('The rules must be a JSON array.');
      setDrafts((parsed as RoutingRule[]).map(toDraft));
      setMode('form');
    } catch (e) {
      setJsonError(e instanceof Error ? e.message : String(e));
    }
  };
  const submit = () => {
    if (mode === 'form') return save.mutate(drafts.map(fromDraft));
    try {
      setJsonError(null);
      save.mutate(JSON.parse(json));
    } catch (e) {
      setJsonError(`Not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const issues = save.error instanceof ApiError ? save.error.details : [];
  const last = drafts.length - 1;

  return (
    <form className="stack" aria-label="Edit routing rules" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <datalist id={teamListId}>{teamNames.map((t) => <option key={t} value={t} />)}</datalist>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Editor">
          <button type="button" className={mode === 'form' ? 'on' : ''} aria-pressed={mode === 'form'} onClick={() => mode === 'json' && toForm()}>Form</button>
          <button type="button" className={mode === 'json' ? 'on' : ''} aria-pressed={mode === 'json'} onClick={() => mode === 'form' && toJson()}>JSON</button>
        </div>
        <span className="muted small">The first rule that yields an available owner wins; the fallback queue always comes last.</span>
      </div>
      {mode === 'form' ? (
        <ol className="rule-editor">
          {drafts.map((d, i) => {
            const n = i + 1;
            const fallback = d.kind === 'fallback_queue' && i === last;
            return (
              <li key={d.key}>
                <fieldset className="rule-card">
                  <legend>Rule {n}</legend>
                  <div className="rule-head">
                    {fallback ? <strong>Fallback queue</strong> : (
                      <label className="inline-field">Type
                        <select value={d.kind} aria-label={`Rule ${n} type`} onChange={(e) => set(i)({ kind: e.target.value as Kind })}>
                          {(['account_owner', 'territory', 'round_robin'] as const).map((k) => <option key={k} value={k}>{kindLabels[k]}</option>)}
                        </select>
                      </label>
                    )}
                    {fallback ? null : (
                      <div className="button-row">
                        <button type="button" className="button small" aria-label={`Move rule ${n} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑ Up</button>
                        <button type="button" className="button small" aria-label={`Move rule ${n} down`} disabled={i >= last - 1} onClick={() => move(i, 1)}>↓ Down</button>
                        <button type="button" className="button small danger-ghost" aria-label={`Remove rule ${n}`} onClick={() => remove(i)}>Remove</button>
                      </div>
                    )}
                  </div>
                  <RuleFields d={d} n={n} set={set(i)} reps={reps} teamListId={teamListId} />
                  <p className="hint">{describeRule(fromDraft(d), userName)}</p>
                </fieldset>
              </li>
            );
          })}
        </ol>
      ) : (
        <label className="field"><span>Routing rules (JSON)</span>
          <textarea className="code-editor" rows={18} spellCheck={false} value={json} aria-invalid={!!jsonError || issues.length > 0}
            onChange={(e) => setJson(e.target.value)} />
        </label>
      )}
      {jsonError ? <div className="error-note" role="alert">{jsonError}</div> : null}
      {save.isError ? (
        issues.length ? (
          <div role="alert">
            <p className="error-note">The rules were not saved.</p>
            <ul className="issue-list">{issues.map((d, i) => <li key={i}><code>{d.path.replace(/^body\./, '')}</code>: {d.message}</li>)}</ul>
          </div>
        ) : <ErrorNote error={save.error} />
      ) : null}
      <div className="button-row">
        {mode === 'form' ? <button type="button" className="button" onClick={add}>Add rule</button> : null}
        <button type="submit" className="button primary" disabled={save.isPending}>Save as new version</button>
        <button type="button" className="button ghost" onClick={() => onDone()}>Cancel</button>
      </div>
    </form>
  );
}

function RepRow({ user, settings, admin }: { user: User; settings: RepSettings | undefined; admin: boolean }) {
  const queryClient = useQueryClient();
  const initial = {
    weight: String(settings?.weight ?? 1), capacity: settings?.capacity == null ? '' : String(settings.capacity),
    ooo: user.out_of_office_until ? user.out_of_office_until.slice(0, 10) : '',
  };
  const [form, setForm] = useState(initial);
  const dirty = form.weight !== initial.weight || form.capacity !== initial.capacity || form.ooo !== initial.ooo;
  const save = useMutation({
    mutationFn: async () => {
      await api('PUT', `/api/v1/users/${user.id}/rep-settings`, { weight: Number(form.weight), capacity: form.capacity === '' ? null : Number(form.capacity) });
      if (form.ooo !== initial.ooo) await api('PATCH', `/api/v1/users/${user.id}`, { out_of_office_until: form.ooo ? `${form.ooo}T00:00:00Z` : null });
    },
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: settingsKeys.repSettings }), queryClient.invalidateQueries({ queryKey: keys.users })]),
  });
  if (!admin) {
    return (
      <tr>
        <td className="row-title">{user.name}</td><td>{user.team ?? '—'}</td><td className="num">{initial.weight}</td>
        <td className="num">{initial.capacity || 'no cap'}</td><td>{formatDate(user.out_of_office_until?.slice(0, 10))}</td><td />
      </tr>
    );
  }
  return (
    <tr>
      <td className="row-title">{user.name}</td>
      <td>{user.team ?? <span className="muted">no team: not routed</span>}</td>
      <td><input className="num-input" type="number" min={0} max={100} required aria-label={`Weight of ${user.name}`} value={form.weight} onChange={(e) => setForm({ ...form, weight: e.target.value })} /></td>
      <td><input className="num-input" type="number" min={0} placeholder="no cap" aria-label={`Capacity of ${user.name}`} value={form.capacity} onChange={(e) => setForm({ ...form, capacity: e.target.value })} /></td>
      <td><input type="date" aria-label={`Out of office until, ${user.name}`} value={form.ooo} onChange={(e) => setForm({ ...form, ooo: e.target.value })} /></td>
      <td className="actions">
        <button type="button" className="button small" disabled={!dirty || save.isPending} aria-label={`Save settings of ${user.name}`} onClick={() => save.mutate()}>Save</button>
        {save.isError ? <ErrorNote error={save.error} /> : save.isSuccess && !dirty ? <span className="muted small" role="status"> Saved</span> : null}
      </td>
    </tr>
  );
}

function RepSettingsCard({ users, admin }: { users: User[]; admin: boolean }) {
  const settings = useRepSettings();
  const reps = users.filter((u) => (u.role === 'sales' || u.role === 'sales_manager') && !u.disabled);
  return (
    <Card title="Reps: weight, capacity, out of office">
      <p className="hint">Round robin gives a rep with weight 2 twice the leads of weight 1 (0: none). Capacity caps open leads (MQL, SAL, SQL). Out-of-office reps are skipped until the date.</p>
      {settings.isPending ? <Loading /> : settings.isError ? <ErrorNote error={settings.error} /> : (
        <div className="table-scroll">
          <table className="table compact rep-table">
            <thead><tr><th scope="col">Rep</th><th scope="col">Team</th><th scope="col">Weight</th><th scope="col">Capacity</th><th scope="col">Out of office until</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {reps.map((u) => (
                // Re-mount on server changes so the row's form starts from the stored values.
                <RepRow key={`${u.id}:${u.out_of_office_until}:${JSON.stringify(settings.data.find((s) => s.user_id === u.id))}`}
                  user={u} settings={settings.data.find((s) => s.user_id === u.id)} admin={admin} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export function RoutingPanel({ admin }: { admin: boolean }) {
  const routing = useRouting();
  const versions = useRoutingVersions();
  const users = useUsers();
  const teams = useTeams();
  const [editing, setEditing] = useState(false);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const userName = userNamer(users.data);
  const teamNames = useMemo(() => [...new Set([...(teams.data ?? []).map((t) => t.name), ...(users.data ?? []).flatMap((u) => (u.team ? [u.team] : []))])].sort(), [teams.data, users.data]);

  return (
    <div className="stack-lg">
      <Card title="Routing rules" actions={admin && !editing ? <button type="button" className="button" onClick={() => { setEditing(true); setSavedVersion(null); }}>Edit rules</button> : null}>
        {routing.isPending || users.isPending ? <Loading /> : routing.isError ? <ErrorNote error={routing.error} /> : (
          <>
            <p className="card-subtitle routing-meta">
              {routing.data.version === null ? 'Built-in default (never edited).' : `Version ${routing.data.version}, saved by ${routing.data.created_by ? userName(routing.data.created_by) : 'an API key'} on ${formatDateTime(routing.data.created_at)}.`}
            </p>
            {savedVersion !== null ? <p className="notice" role="status">Saved as version {savedVersion}.</p> : null}
            {editing ? (
              <RoutingEditor current={routing.data} users={users.data ?? []} teamNames={teamNames}
                onDone={(v) => { setEditing(false); setSavedVersion(v ?? null); }} />
            ) : <RulesInWords rules={routing.data.rules} userName={userName} />}
          </>
        )}
      </Card>
      <RepSettingsCard users={users.data ?? []} admin={admin} />
      <Card title="Version history">
        {versions.isPending ? <Loading /> : versions.isError ? <ErrorNote error={versions.error} /> : versions.data.length === 0 ? (
          <p className="muted">No saved versions yet: the built-in default applies.</p>
        ) : (
          <table className="table compact">
            <thead><tr><th scope="col">Version</th><th scope="col">Saved by</th><th scope="col">When</th><th scope="col">Rules</th></tr></thead>
            <tbody>
              {versions.data.map((v) => (
                <tr key={v.version}>
                  <td>v{v.version}</td><td>{v.created_by ? userName(v.created_by) : 'API key'}</td><td>{formatDateTime(v.created_at)}</td>
                  <td><RulesInWords rules={v.rules} userName={userName} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
