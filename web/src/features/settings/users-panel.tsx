import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys, useUsers } from '../../api/queries.ts';
import type { User } from '../../api/types.ts';
import { roleLabels } from '../../app/roles.ts';
import { Card, ErrorNote, Loading } from '../../ui/states.tsx';

const roles = ['admin', 'marketing', 'sales', 'sales_manager', 'viewer'];

type Invitation = { user: User; expires_at: string; email_sent: boolean; detail: string; invite_url: string | null };

/** Admins invite people by email; each chooses their own password through a single-use link. */
function InviteUserForm() {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ email: '', name: '', role: 'sales', team: '' });
  const invite = useMutation({
    mutationFn: () => api<Invitation>('POST', '/api/v1/users/invite', { email: form.email, name: form.name || undefined, role: form.role, team: form.team || null }),
    onSuccess: () => { setForm({ email: '', name: '', role: 'sales', team: '' }); void queryClient.invalidateQueries({ queryKey: keys.users }); },
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => { e.preventDefault(); invite.mutate(); };
  return (
    <form className="form-grid" onSubmit={submit} aria-label="Invite user">
      <label className="field"><span>Email</span><input type="email" required value={form.email} onChange={set('email')} /></label>
      <label className="field"><span>Name</span><input value={form.name} onChange={set('name')} /></label>
      <label className="field"><span>Role</span>
        <select value={form.role} onChange={set('role')}>{roles.map((r) => <option key={r} value={r}>{roleLabels[r]}</option>)}</select>
      </label>
      <label className="field"><span>Team</span><input value={form.team} onChange={set('team')} /></label>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={invite.isPending}>{invite.isPending ? 'Sending…' : 'Send invitation'}</button>
      </div>
      {invite.isError ? <ErrorNote error={invite.error} /> : null}
      {invite.isSuccess ? <InvitationNote invitation={invite.data} /> : null}
    </form>
  );
}

function InvitationNote({ invitation }: { invitation: Invitation }) {
  return (
    <div className={`notice${invitation.email_sent ? '' : ' bad'}`} role="status">
      {invitation.detail} The link works once, until {new Date(invitation.expires_at).toLocaleString()}.
      {invitation.invite_url ? <div className="invite-link">{invitation.invite_url}</div> : null}
    </div>
  );
}

function ResendInvite({ user }: { user: User }) {
  const resend = useMutation({ mutationFn: () => api<Invitation>('POST', `/api/v1/users/${user.id}/invite`) });
  if (resend.isSuccess) return <InvitationNote invitation={resend.data} />;
  return (
    <>
      <button type="button" className="button ghost small" onClick={() => resend.mutate()} disabled={resend.isPending}>Resend invitation</button>
      {resend.isError ? <ErrorNote error={resend.error} /> : null}
    </>
  );
}

export function UsersPanel({ admin }: { admin: boolean }) {
  const users = useUsers();
  return (
    <div className="stack-lg">
      <Card title="Users">
        {users.isPending ? <Loading /> : users.isError ? <ErrorNote error={users.error} /> : (
          <table className="table">
            <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Team</th><th scope="col">Status</th>{admin ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td className="row-title">{u.name}</td><td>{u.email}</td><td>{roleLabels[u.role] ?? u.role}</td><td>{u.team ?? '—'}</td>
                  <td>{u.disabled ? <span className="tag tag-amber">disabled</span> : !u.password_set ? <span className="tag">invited</span> : u.out_of_office_until ? <span className="tag">out of office</span> : <span className="tag tag-green">active</span>}</td>
                  {admin ? <td>{!u.disabled && !u.password_set ? <ResendInvite user={u} /> : null}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {admin ? <Card title="Invite a user"><p className="muted">They get an email with a link to choose their own password (valid 7 days, single use).</p><InviteUserForm /></Card> : null}
    </div>
  );
}
