import { useState } from 'preact/hooks';
import type { ConsoleConfig, Credentials } from '../api/session';
import { ErrorNotice } from '../components/notice.component';

interface Props {
  config: ConsoleConfig | undefined;
  error: string | undefined;
  busy: boolean;
  onSignIn: (c: Credentials) => void;
}

/**
 * Signs in the way the gateway authenticates: in dev mode the user picks a user id and role; with
 * JWT they paste a token; behind the trusted proxy there is nothing to give (the proxy sends the
 * user's headers). The gateway checks it (GET /me) before any view opens.
 */
// eslint-disable-next-line max-lines-per-function -- a view is one JSX tree with its hooks; split into panels when it next changes
export function SignInView({ config, error, busy, onSignIn }: Props) {
  const [userId, setUserId] = useState(config?.defaultUserId ?? '');
  const [role, setRole] = useState('user');
  const [token, setToken] = useState('');
  return (
    <main id="main" class="sign-in">
      <h1>Switchboard console</h1>
      <ErrorNotice error={error} />
      {!config ? (
        <p role="status">Connecting to the gateway…</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (config.authMode === 'dev')
              onSignIn({ mode: 'dev', userId: userId.trim(), role: role.trim() });
            else if (config.authMode === 'jwt') onSignIn({ mode: 'jwt', token: token.trim() });
            else onSignIn({ mode: 'trusted-headers' });
          }}
        >
          {config.authMode === 'dev' && (
            <>
              <p>
                Development mode: act as any user.{' '}
                <span class="muted">(The gateway refuses this mode in production.)</span>
              </p>
              <label for="user-id">User id</label>
              <input
                id="user-id"
                name="user-id"
                required
                value={userId}
                autoComplete="username"
                onInput={(e) => setUserId(e.currentTarget.value)}
              />
              <label for="role">Role</label>
              <select
                id="role"
                name="role"
                value={role}
                onChange={(e) => setRole(e.currentTarget.value)}
              >
                <option value="user">user</option>
                <option value="admin">admin</option>
              </select>
            </>
          )}
          {config.authMode === 'jwt' && (
            <>
              <p>
                Paste an access token from your identity provider. It is kept in this browser tab
                only.
              </p>
              <label for="token">Access token (JWT)</label>
              <textarea
                id="token"
                name="token"
                required
                rows={5}
                spellcheck={false}
                value={token}
                autoComplete="off"
                onInput={(e) => setToken(e.currentTarget.value)}
              />
            </>
          )}
          {config.authMode === 'trusted-headers' && (
            <p>
              You are signed in by the proxy in front of Switchboard: continue to check who it says
              you are.
            </p>
          )}
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : config.authMode === 'trusted-headers' ? 'Continue' : 'Sign in'}
          </button>
          <p class="muted">
            Gateway {config.version} · authentication: {config.authMode}
          </p>
        </form>
      )}
    </main>
  );
}
