import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { Me } from '../api/types.ts';
import { TextField, errorFor, formError, text } from '../components/field.tsx';

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.post('/api/dash/login', { email: text(f, 'email'), password: text(f, 'password') }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  // "Wrong email or password" names no field: it belongs to the password.
  return (
    <main id="main" className="sign-in">
      <form onSubmit={(e) => void submit(e)} className="card" aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title"><img src="/favicon.svg" alt="" width="28" height="28" /> Breakwater</h1>
        <p className="muted">Sign in to the dashboard.</p>
        {formError(error, ['email', 'password'], 'password') ? <p className="problem" role="alert">{formError(error, ['email', 'password'], 'password')}</p> : null}
        <TextField label="Email" name="email" type="email" autoComplete="username" required autoFocus error={errorFor(error, 'email')} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required error={errorFor(error, 'password', 'password')} />
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
