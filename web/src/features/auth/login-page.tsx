import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError, get, setCsrfToken } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import type { Me, SignedIn } from '../../api/types.ts';
import { homeFor } from '../../app/roles.ts';
import { AuthCard } from './auth-card.tsx';

type AuthOptions = { password: boolean; sso: { name: string; start_url: string } | null; password_min_length: number };
type WorkspaceChoice = { id: string; name: string; role: string };
const roleWords: Record<string, string> = { admin: 'Admin', marketing: 'Marketing', sales: 'Sales rep', sales_manager: 'Sales manager', viewer: 'Viewer' };

/**
 * Signs in; when the email and password open accounts in several workspaces the server answers 409
 * with them (it never picks one silently), and the form asks which one.
 */
async function signIn(body: { email: string; password: string; workspace_id?: string }): Promise<SignedIn | { choose: WorkspaceChoice[] }> {
  const response = await fetch('/api/v1/auth/login', { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await response.json().catch(() => null) as { error?: { code: string; message: string; details?: { path: string; message: string }[] }; workspaces?: WorkspaceChoice[] } | null;
  if (response.status === 409 && json?.workspaces) return { choose: json.workspaces };
  if (!response.ok) throw new ApiError(response.status, json?.error?.code ?? 'HttpError', json?.error?.message ?? `Sign-in failed (HTTP ${response.status}).`, json?.error?.details ?? []);
  return json as unknown as SignedIn;
}

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ message: string; locked: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [choices, setChoices] = useState<WorkspaceChoice[] | null>(null);
  const [workspace, setWorkspace] = useState('');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const from = (useLocation().state as { from?: string } | null)?.from;
  const options = useQuery({ queryKey: ['auth-options'], queryFn: () => get<AuthOptions>('/api/v1/auth/options'), staleTime: 300_000 });
  const ssoError = params.get('sso_error');
  const notice = params.get('notice');
  const returnTo = from && from !== '/login' && from !== '/' ? from : '/';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await signIn({ email, password, ...(choices && workspace ? { workspace_id: workspace } : {}) });
      if ('choose' in answer) {
        setChoices(answer.choose);
        setWorkspace(answer.choose[0]?.id ?? '');
        return;
      }
      const signedIn = answer;
      setCsrfToken(signedIn.csrf_token);
      const me = await api<Me>('GET', '/api/v1/me');
      queryClient.setQueryData(keys.me, me);
      navigate(returnTo !== '/' ? returnTo : homeFor(signedIn.user.role), { replace: true });
    } catch (err) {
      setError({ message: err instanceof Error ? err.message : 'Sign-in failed.', locked: err instanceof ApiError && err.status === 429 });
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in" intro="The closed-loop lead system of record." onSubmit={submit}>
      {notice ? <div className="notice" role="status">{notice}</div> : null}
      {ssoError ? <div className="error-note" role="alert">{ssoError}</div> : null}
      <label className="field">
        <span>Email</span>
        <input type="email" autoComplete="username" required value={email} onChange={(e) => { setEmail(e.target.value); setChoices(null); }} />
      </label>
      <label className="field">
        <span>Password</span>
        <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {choices ? (
        <fieldset className="scopes">
          <legend>Which workspace?</legend>
          <p className="hint">{email} has an account in {choices.length} workspaces. Choose where to sign in; you can switch later from the top bar.</p>
          {choices.map((c) => (
            <label key={c.id} className="check">
              <input type="radio" name="workspace" value={c.id} checked={workspace === c.id} onChange={() => setWorkspace(c.id)} /> {c.name} <span className="muted">({roleWords[c.role] ?? c.role})</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      {error ? (
        <div className="error-note" role="alert">
          {error.locked ? <strong>Sign-in paused. </strong> : null}{error.message}
        </div>
      ) : null}
      <button type="submit" className="button primary wide" disabled={busy}>{busy ? 'Signing in…' : choices ? 'Sign in to this workspace' : 'Sign in'}</button>
      <p className="auth-links"><Link to="/forgot-password">Forgot your password?</Link></p>
      {options.data?.sso ? (
        <>
          <div className="auth-divider" role="separator"><span>or</span></div>
          <a className="button wide" href={`${options.data.sso.start_url}?return_to=${encodeURIComponent(returnTo)}`}>Sign in with {options.data.sso.name}</a>
        </>
      ) : null}
    </AuthCard>
  );
}
