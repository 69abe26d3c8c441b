import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { api, setCsrfToken } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import type { Me, SignedIn } from '../../api/types.ts';
import { homeFor, roleLabels } from '../../app/roles.ts';
import { Loading } from '../../ui/states.tsx';
import { AuthCard, linkToken, NewPasswordFields } from './auth-card.tsx';

type Invitation = { email: string; name: string; role: string; workspace_name: string; expires_at: string };

export function AcceptInvitePage() {
  const [token] = useState(linkToken);
  const invitation = useQuery({ queryKey: ['invitation', token], queryFn: () => api<Invitation>('POST', '/api/v1/auth/invitation', { token }), enabled: !!token, retry: false });
  const [name, setName] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== repeat) return setError('The two passwords differ; type the same one twice.');
    setBusy(true);
    setError(null);
    try {
      const signedIn = await api<SignedIn>('POST', '/api/v1/auth/accept-invite', { token, password, name: name?.trim() || undefined });
      setCsrfToken(signedIn.csrf_token);
      queryClient.clear();
      queryClient.setQueryData(keys.me, await api<Me>('GET', '/api/v1/me'));
      navigate(homeFor(signedIn.user.role), { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Accepting the invitation failed.');
    } finally {
      setBusy(false);
    }
  };

  if (!token || invitation.isError) {
    return (
      <AuthCard title="Accept your invitation">
        <div className="error-note" role="alert">{invitation.error?.message ?? 'This page needs the link from your invitation email. Open the link again.'}</div>
        <p className="auth-links"><Link to="/login">Go to sign in</Link></p>
      </AuthCard>
    );
  }
  if (invitation.isPending) return <Loading label="Checking your invitation…" />;
  const inv = invitation.data;
  return (
    <AuthCard title="Accept your invitation" intro={<>Join <strong>{inv.workspace_name}</strong> as {roleLabels[inv.role] ?? inv.role}. Choose the password you will sign in with.</>} onSubmit={submit}>
      <label className="field">
        <span>Email</span>
        <input type="email" autoComplete="username" value={inv.email} readOnly />
      </label>
      <label className="field">
        <span>Your name</span>
        <input autoComplete="name" required value={name ?? inv.name} onChange={(e) => setName(e.target.value)} />
      </label>
      <NewPasswordFields label="Password" password={password} repeat={repeat} onPassword={setPassword} onRepeat={setRepeat} repeatLabel="Repeat the password" />
      {error ? <div className="error-note" role="alert">{error}</div> : null}
      <button type="submit" className="button primary wide" disabled={busy}>{busy ? 'Joining…' : 'Join and sign in'}</button>
      <p className="muted small">The link works once, until {new Date(inv.expires_at).toLocaleString()}.</p>
    </AuthCard>
  );
}
