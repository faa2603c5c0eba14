import { type FormEvent, useState } from 'react';
import { Field } from '../components/Field.tsx';
import { toFormError } from '../errors.ts';
import { signIn } from '../session.ts';
import { createClient, httpStatusOf } from '../trpc.ts';

/** Admin tokens are the dashboard's credential for now; the token is checked before it is kept. */
export function SignIn({ notice }: { notice: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) {
      setError('Paste an admin token.');
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await createClient(candidate).account.get.query();
      signIn(candidate);
    } catch (failure) {
      setError(
        httpStatusOf(failure) === 401 ? 'That token was not accepted.' : (toFormError(failure)?.message ?? null),
      );
      setChecking(false);
    }
  }

  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} noValidate>
        <h1>Sign in to Rungate</h1>
        <p className="muted">Paste an admin token. It is kept in this browser until you sign out.</p>
        {notice && !error && (
          <div className="alert alert-info" role="status">
            {notice}
          </div>
        )}
        <Field label="Admin token" error={error ?? undefined}>
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
