import type { FormEvent, ReactNode } from 'react';

/** The centred card the signed-out screens share (sign-in, forgot, reset, accept invitation). */
export function AuthCard({ title, intro, onSubmit, children }: { title: string; intro?: ReactNode; onSubmit?: (e: FormEvent) => void; children: ReactNode }) {
  const id = `auth-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <main className="login">
      <form className="login-card" onSubmit={onSubmit} aria-labelledby={id} noValidate={false}>
        <div className="brand login-brand"><span className="brand-mark" aria-hidden="true" />Leadloop</div>
        <h1 id={id}>{title}</h1>
        {intro ? <p className="muted">{intro}</p> : null}
        {children}
      </form>
    </main>
  );
}

export const PASSWORD_HINT = 'At least 12 characters. A few unrelated words make a strong one; common passwords are refused.';

/** A new password typed twice, with the policy's hint (reset, invitation and account pages). */
export function NewPasswordFields({ label, password, repeat, onPassword, onRepeat, repeatLabel = 'Repeat the new password' }: {
  label: string; password: string; repeat: string; onPassword: (v: string) => void; onRepeat: (v: string) => void; repeatLabel?: string;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor="new-password">{label}</label>
        <input id="new-password" type="password" autoComplete="new-password" required minLength={12} value={password} onChange={(e) => onPassword(e.target.value)} aria-describedby="password-hint" />
        <small id="password-hint" className="muted">{PASSWORD_HINT}</small>
      </div>
      <label className="field">
        <span>{repeatLabel}</span>
        <input type="password" autoComplete="new-password" required value={repeat} onChange={(e) => onRepeat(e.target.value)} />
      </label>
    </>
  );
}

/** The token of an emailed link: it travels in the URL fragment, which browsers never send to a server or in a Referer. */
export function linkToken(): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '';
}
