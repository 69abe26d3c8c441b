import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys, useUsers } from '../../api/queries.ts';
import type { User } from '../../api/types.ts';
import { roleLabels } from '../../app/roles.ts';
import { Card, ErrorNote, Loading } from '../../ui/states.tsx';

const roles = ['admin', 'marketing', 'sales', 'sales_manager', 'viewer'];

function CreateUserForm() {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ email: '', name: '', role: 'sales', password: '', team: '' });
  const create = useMutation({
    mutationFn: () => api<User>('POST', '/api/v1/users', {
      email: form.email, name: form.name || undefined, role: form.role, password: form.password || undefined, team: form.team || null,
    }),
    onSuccess: () => { setForm({ email: '', name: '', role: 'sales', password: '', team: '' }); void queryClient.invalidateQueries({ queryKey: keys.users }); },
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <form className="form-grid" onSubmit={submit} aria-label="Create user">
      <label className="field"><span>Email</span><input type="email" required value={form.email} onChange={set('email')} /></label>
      <label className="field"><span>Name</span><input value={form.name} onChange={set('name')} /></label>
      <label className="field"><span>Role</span>
        <select value={form.role} onChange={set('role')}>{roles.map((r) => <option key={r} value={r}>{roleLabels[r]}</option>)}</select>
      </label>
      <label className="field"><span>Team</span><input value={form.team} onChange={set('team')} /></label>
      <label className="field"><span>Initial password</span><input type="password" minLength={8} autoComplete="new-password" value={form.password} onChange={set('password')} /></label>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={create.isPending}>Create user</button>
      </div>
      {create.isError ? <ErrorNote error={create.error} /> : null}
      {create.isSuccess ? <p className="notice" role="status">User created.</p> : null}
    </form>
  );
}

export function UsersPanel({ admin }: { admin: boolean }) {
  const users = useUsers();
  return (
    <div className="stack-lg">
      <Card title="Users">
        {users.isPending ? <Loading /> : users.isError ? <ErrorNote error={users.error} /> : (
          <table className="table">
            <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Team</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td className="row-title">{u.name}</td><td>{u.email}</td><td>{roleLabels[u.role] ?? u.role}</td><td>{u.team ?? '—'}</td>
                  <td>{u.disabled ? <span className="tag tag-amber">disabled</span> : u.out_of_office_until ? <span className="tag">out of office</span> : <span className="tag tag-green">active</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {admin ? <Card title="Add a user"><CreateUserForm /></Card> : null}
    </div>
  );
}
