import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import type { Me, SignedIn } from '../../api/types.ts';
import { Card } from '../../ui/states.tsx';
import { NewPasswordFields } from './auth-card.tsx';

/** Account screen: change your password (every other session of yours ends). */
export function ChangePasswordPage({ me }: { me: Me }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (next !== repeat) return setError('The two new passwords differ; type the same one twice.');
    setBusy(true);
    setError(null);
    try {
      const signedIn = await api<SignedIn>('POST', '/api/v1/me/password', { current_password: current, new_password: next });
      setCsrfToken(signedIn.csrf_token);
      queryClient.setQueryData(keys.me, await api<Me>('GET', '/api/v1/me'));
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Changing the password failed.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="page narrow">
      <h1>Your account</h1>
      <p className="muted">{me.user?.name} · {me.user?.email}</p>
      <Card title="Change password">
        <form className="stack" onSubmit={submit} aria-label="Change password">
          <label className="field">
            <span>Current password</span>
            <input type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
          </label>
          <NewPasswordFields label="New password" password={next} repeat={repeat} onPassword={setNext} onRepeat={setRepeat} />
          {error ? <div className="error-note" role="alert">{error}</div> : null}
          {done ? <div className="notice" role="status">Password changed. You stay signed in here; every other session of yours has ended.</div> : null}
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={busy}>{busy ? 'Saving…' : 'Change password'}</button>
          </div>
        </form>
      </Card>
    </main>
  );
}
