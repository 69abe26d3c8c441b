import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { AuthCard } from './auth-card.tsx';

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setSent((await api<{ message: string }>('POST', '/api/v1/auth/forgot-password', { email })).message);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'The request failed.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Reset your password" intro="We email you a link to choose a new password." onSubmit={submit}>
      {sent ? <div className="notice" role="status">{sent}</div> : (
        <>
          <label className="field">
            <span>Email</span>
            <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
          {error ? <div className="error-note" role="alert">{error}</div> : null}
          <button type="submit" className="button primary wide" disabled={busy}>{busy ? 'Sending…' : 'Email me a link'}</button>
        </>
      )}
      <p className="auth-links"><Link to="/login">Back to sign in</Link></p>
    </AuthCard>
  );
}
