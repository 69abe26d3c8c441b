import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { AuthCard, linkToken, NewPasswordFields } from './auth-card.tsx';

export function ResetPasswordPage() {
  const [token] = useState(linkToken);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== repeat) return setError('The two passwords differ; type the same one twice.');
    setBusy(true);
    setError(null);
    try {
      const done = await api<{ message: string }>('POST', '/api/v1/auth/reset-password', { token, password });
      navigate(`/login?notice=${encodeURIComponent(done.message)}`, { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : 'The reset failed.');
    } finally {
      setBusy(false);
    }
  };
  if (!token) {
    return (
      <AuthCard title="Choose a new password">
        <div className="error-note" role="alert">This page needs the link from your reset email. Open the link again, or ask for a new one.</div>
        <p className="auth-links"><Link to="/forgot-password">Ask for a new link</Link></p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose a new password" intro="Every earlier session of your account ends when you save it." onSubmit={submit}>
      <NewPasswordFields label="New password" password={password} repeat={repeat} onPassword={setPassword} onRepeat={setRepeat} />
      {error ? <div className="error-note" role="alert">{error}</div> : null}
      <button type="submit" className="button primary wide" disabled={busy}>{busy ? 'Saving…' : 'Save the new password'}</button>
      <p className="auth-links"><Link to="/forgot-password">Ask for a new link</Link></p>
    </AuthCard>
  );
}
