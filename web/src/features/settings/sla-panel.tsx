import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, ApiError } from '../../api/client.ts';
import { keys, useReasonCodes, useUsers } from '../../api/queries.ts';
import type { ReasonCode, User } from '../../api/types.ts';
import { Card, ErrorNote, Loading } from '../../ui/states.tsx';
import { settingsKeys, useSlaInForce, useTeams, type BusinessCalendar, type Team } from './settings-api.ts';
import { dayNames, describeStep, describeTargets, describeTeamSla } from './settings-words.ts';

const timeZones = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'];
  }
})();

function TargetsCard() {
  const sla = useSlaInForce(null);
  return (
    <Card title="SLA targets in force">
      {sla.isPending ? <Loading /> : sla.isError ? <ErrorNote error={sla.error} /> : (
        <div className="stack">
          <ul className="plain-list sla-targets">
            {describeTargets(sla.data.policy).map((t) => (
              <li key={t.clock}><strong>{t.clock[0]?.toUpperCase()}{t.clock.slice(1)}</strong> {t.target}{t.escalation ? <span className="muted">; then {t.escalation}</span> : null}</li>
            ))}
            <li><strong>Escalation</strong> {sla.data.policy.escalation.length ? sla.data.policy.escalation.map(describeStep).join(', then ') : 'per clock (above) or none'}</li>
          </ul>
          <p className="hint">
            Source: <strong>{sla.data.source}</strong>. The targets and escalation steps are part of the lead definition, the agreement marketing and sales
            sign together, so they change with a new definition version in <Link to="/definitions">Definitions</Link>. Each team below sets its own business
            hours, time zone, holidays and the manager escalations go to.
          </p>
        </div>
      )}
    </Card>
  );
}

type CalendarForm = { timeZone: string; days: number[]; start: string; end: string; holidays: string; managerId: string };
const formOf = (c: BusinessCalendar, managerId: string | null): CalendarForm => ({
  timeZone: c.timeZone, days: [...c.days], start: c.start, end: c.end, holidays: c.holidays.join('\n'), managerId: managerId ?? '',
});
const calendarOf = (f: CalendarForm) => ({
  timeZone: f.timeZone.trim(), days: [...f.days].sort((a, b) => a - b), start: f.start, end: f.end,
  holidays: f.holidays.split(/[\s,]+/).map((d) => d.trim()).filter(Boolean),
});

function TeamSla({ name, team, managers, admin }: { name: string; team: Team | undefined; managers: User[]; admin: boolean }) {
  const queryClient = useQueryClient();
  const sla = useSlaInForce(name);
  const [form, setForm] = useState<CalendarForm | null>(null);
  const save = useMutation({
    mutationFn: (f: CalendarForm) => api<Team>('PUT', `/api/v1/teams/${encodeURIComponent(name)}`, { calendar: calendarOf(f), manager_id: f.managerId || null }),
    onSuccess: async () => {
      await Promise.all([queryClient.invalidateQueries({ queryKey: settingsKeys.teams }), queryClient.invalidateQueries({ queryKey: settingsKeys.sla(name) })]);
      setForm(null);
    },
  });
  if (sla.isPending) return <Card title={name}><Loading /></Card>;
  if (sla.isError) return <Card title={name}><ErrorNote error={sla.error} /></Card>;
  const f = form ?? formOf(sla.data.calendar, team?.manager_id ?? null);
  const set = (patch: Partial<CalendarForm>) => setForm({ ...f, ...patch });
  const manager = managers.find((u) => u.id === team?.manager_id);
  const summary = describeTeamSla(name, sla.data.policy, sla.data.calendar);
  const issues = save.error instanceof ApiError ? save.error.details : [];
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(f); };
  return (
    <Card title={name}>
      <p className="sla-summary" aria-label={`SLA summary, ${name}`}>
        {summary} {manager ? `Manager: ${manager.name}.` : 'No manager set: manager escalations go to admins.'}
        {sla.data.calendar_source === 'policy' ? <span className="muted"> (Business hours from the policy: this team has none of its own yet.)</span> : null}
      </p>
      {admin ? (
        <form className="stack" onSubmit={submit} aria-label={`Business calendar of ${name}`}>
          <div className="sla-grid">
            <label className="field"><span>Time zone</span>
              <input list="sla-time-zones" required value={f.timeZone} onChange={(e) => set({ timeZone: e.target.value })} />
            </label>
            <label className="field"><span>Business hours start</span><input type="time" required value={f.start} onChange={(e) => set({ start: e.target.value })} /></label>
            <label className="field"><span>Business hours end</span><input type="time" required value={f.end} onChange={(e) => set({ end: e.target.value })} /></label>
            <label className="field"><span>Manager</span>
              <select value={f.managerId} onChange={(e) => set({ managerId: e.target.value })}>
                <option value="">No manager</option>
                {managers.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
              </select>
            </label>
          </div>
          <fieldset className="days">
            <legend>Business days</legend>
            {dayNames.map((d, i) => (
              <label key={d} className="check"><input type="checkbox" checked={f.days.includes(i + 1)}
                onChange={(e) => set({ days: e.target.checked ? [...f.days, i + 1] : f.days.filter((x) => x !== i + 1) })} />{d}</label>
            ))}
          </fieldset>
          <label className="field"><span>Holidays (YYYY-MM-DD, one per line)</span>
            <textarea rows={2} value={f.holidays} onChange={(e) => set({ holidays: e.target.value })} placeholder="2026-12-25" />
          </label>
          {save.isError ? (issues.length
            ? <ul className="issue-list" role="alert">{issues.map((d, i) => <li key={i}><code>{d.path.replace(/^body\./, '')}</code>: {d.message}</li>)}</ul>
            : <ErrorNote error={save.error} />) : null}
          <div className="button-row">
            <button type="submit" className="button primary" disabled={save.isPending || !form}>Save {name}</button>
            {form ? <button type="button" className="button ghost" onClick={() => { setForm(null); save.reset(); }}>Discard changes</button> : null}
          </div>
        </form>
      ) : null}
    </Card>
  );
}

function AddTeam({ existing }: { existing: string[] }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const add = useMutation({
    mutationFn: (n: string) => api<Team>('PUT', `/api/v1/teams/${encodeURIComponent(n)}`, { calendar: null, manager_id: null }),
    onSuccess: () => { setName(''); void queryClient.invalidateQueries({ queryKey: settingsKeys.teams }); },
  });
  return (
    <form className="toolbar" aria-label="Add a team" onSubmit={(e) => { e.preventDefault(); if (name.trim()) add.mutate(name.trim()); }}>
      <label className="inline-field">Team name<input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. SMB" /></label>
      <button type="submit" className="button" disabled={!name.trim() || existing.includes(name.trim()) || add.isPending}>Add team</button>
      {add.isError ? <ErrorNote error={add.error} /> : null}
    </form>
  );
}

const outcomes = ['nurture', 'disqualified', 'lost'] as const;
const outcomeHelp: Record<string, string> = { nurture: 'back to marketing nurture', disqualified: 'closed as disqualified', lost: 'deal lost' };

function ReasonCodesCard({ admin }: { admin: boolean }) {
  const queryClient = useQueryClient();
  const reasons = useReasonCodes();
  const [edits, setEdits] = useState<Record<string, ReasonCode>>({});
  const [fresh, setFresh] = useState({ code: '', label: '', outcome: 'nurture' });
  const save = useMutation({
    mutationFn: (codes: ReasonCode[]) => api('PUT', '/api/v1/reason-codes', { codes }),
    onSuccess: () => { setEdits({}); setFresh({ code: '', label: '', outcome: 'nurture' }); void queryClient.invalidateQueries({ queryKey: keys.reasons }); },
  });
  const changed = Object.values(edits);
  return (
    <Card title="Reject and hand-back reasons">
      <p className="hint">What a rep picks when rejecting or handing back a lead; the outcome decides where the lead goes. Codes cannot be removed (history uses them).</p>
      {reasons.isPending ? <Loading /> : reasons.isError ? <ErrorNote error={reasons.error} /> : (
        <form onSubmit={(e) => {
          e.preventDefault();
          save.mutate([...changed, ...(fresh.code && fresh.label ? [fresh] : [])]);
        }} aria-label="Reason codes">
          <table className="table compact reason-table">
            <thead><tr><th scope="col">Code</th><th scope="col">Label</th><th scope="col">Outcome</th></tr></thead>
            <tbody>
              {reasons.data.map((r) => {
                const row = edits[r.code] ?? r;
                const set = (patch: Partial<ReasonCode>) => setEdits({ ...edits, [r.code]: { ...row, ...patch } });
                return (
                  <tr key={r.code}>
                    <td><code>{r.code}</code></td>
                    <td>{admin ? <input aria-label={`Label of ${r.code}`} value={row.label} onChange={(e) => set({ label: e.target.value })} /> : r.label}</td>
                    <td>{admin ? (
                      <select aria-label={`Outcome of ${r.code}`} value={row.outcome} onChange={(e) => set({ outcome: e.target.value })}>
                        {outcomes.map((o) => <option key={o} value={o}>{o} — {outcomeHelp[o]}</option>)}
                      </select>
                    ) : r.outcome}</td>
                  </tr>
                );
              })}
              {admin ? (
                <tr>
                  <td><input aria-label="New reason code" placeholder="no_budget" pattern="[a-z0-9_]{1,60}" value={fresh.code} onChange={(e) => setFresh({ ...fresh, code: e.target.value })} /></td>
                  <td><input aria-label="New reason label" placeholder="No budget this year" value={fresh.label} onChange={(e) => setFresh({ ...fresh, label: e.target.value })} /></td>
                  <td><select aria-label="New reason outcome" value={fresh.outcome} onChange={(e) => setFresh({ ...fresh, outcome: e.target.value })}>
                    {outcomes.map((o) => <option key={o} value={o}>{o} — {outcomeHelp[o]}</option>)}
                  </select></td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {admin ? (
            <div className="button-row reason-actions">
              <button type="submit" className="button primary" disabled={save.isPending || (!changed.length && !(fresh.code && fresh.label))}>Save reasons</button>
              {save.isError ? <ErrorNote error={save.error} /> : null}
            </div>
          ) : null}
        </form>
      )}
    </Card>
  );
}

export function SlaPanel({ admin }: { admin: boolean }) {
  const teams = useTeams();
  const users = useUsers();
  const names = useMemo(() => [...new Set([...(teams.data ?? []).map((t) => t.name), ...(users.data ?? []).flatMap((u) => (u.team ? [u.team] : []))])].sort(),
    [teams.data, users.data]);
  const managers = (users.data ?? []).filter((u) => (u.role === 'sales_manager' || u.role === 'admin') && !u.disabled);
  return (
    <div className="stack-lg">
      <datalist id="sla-time-zones">{timeZones.map((z) => <option key={z} value={z} />)}</datalist>
      <TargetsCard />
      <Card title="Teams" actions={admin ? <AddTeam existing={names} /> : null}>
        {teams.isPending || users.isPending ? <Loading /> : teams.isError ? <ErrorNote error={teams.error} /> : names.length === 0 ? (
          <p className="muted">No teams yet. Give reps a team (Users &amp; roles) or add one here; every team can keep its own business hours.</p>
        ) : <p className="muted">{names.length} team{names.length === 1 ? '' : 's'}: {names.join(', ')}.</p>}
      </Card>
      {names.map((n) => <TeamSla key={n} name={n} team={teams.data?.find((t) => t.name === n)} managers={managers} admin={admin} />)}
      <ReasonCodesCard admin={admin} />
    </div>
  );
}
