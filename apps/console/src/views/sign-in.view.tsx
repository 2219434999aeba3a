import { useState } from 'preact/hooks';
import type { ConsoleConfig, Credentials } from '../api/session';
import { ErrorNotice } from '../components/notice.component';
import { DEFAULT_TENANT, tenantProblem } from '../model/tenant';

/** What dev mode's sign-in asks: the user, the role and (optional) the tenant, as typed. */
interface DevSignIn {
  userId: string;
  role: string;
  tenant: string;
}

/** The roles the dev sign-in offers: a tenant's user and admin, and the platform operator. */
const ROLES = ['user', 'admin', 'platform-admin'];

const devCredentials = (d: DevSignIn): Credentials => {
  const tenant = d.tenant.trim();
  return {
    mode: 'dev',
    userId: d.userId.trim(),
    role: d.role.trim(),
    ...(tenant ? { tenant } : {}),
  };
};

interface Props {
  config: ConsoleConfig | undefined;
  error: string | undefined;
  busy: boolean;
  onSignIn: (c: Credentials) => void;
}

/**
 * Signs in the way the gateway authenticates: in dev mode the user picks a user id, a role and
 * (optionally) a tenant; with JWT they paste a token (its claims name the tenant); behind the trusted
 * proxy there is nothing to give (the proxy sends the user's headers, the tenant's too). The gateway checks it (GET /me) before any view opens.
 */
export function SignInView({ config, error, busy, onSignIn }: Props) {
  const [dev, setDev] = useState<DevSignIn>({
    userId: config?.defaultUserId ?? '',
    role: 'user',
    tenant: '',
  });
  const [tenantError, setTenantError] = useState<string>();
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
            if (config.authMode === 'dev') {
              const problem = tenantProblem(dev.tenant);
              setTenantError(problem);
              if (problem) return;
              onSignIn(devCredentials(dev));
            } else if (config.authMode === 'jwt') onSignIn({ mode: 'jwt', token: token.trim() });
            else onSignIn({ mode: 'trusted-headers' });
          }}
        >
          {config.authMode === 'dev' && (
            <DevFields
              config={config}
              fields={dev}
              problem={tenantError}
              onChange={(f) => setDev({ ...dev, ...f })}
            />
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

/**
 * Dev mode's fields: the user id, the role and the tenant (sent as X-Tenant-Id). The tenant is read
 * only by a gateway with TENANCY=true; config.json does not say whether it is on, so the field is
 * always offered, with a hint.
 */
function DevFields(p: {
  config: ConsoleConfig;
  fields: DevSignIn;
  problem: string | undefined;
  onChange: (f: Partial<DevSignIn>) => void;
}) {
  const { fields: f, onChange } = p;
  return (
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
        value={f.userId}
        autoComplete="username"
        onInput={(e) => onChange({ userId: e.currentTarget.value })}
      />
      <label for="role">Role</label>
      <select
        id="role"
        name="role"
        value={f.role}
        onChange={(e) => onChange({ role: e.currentTarget.value })}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r === 'platform-admin' ? 'platform-admin (platform operator)' : r}
          </option>
        ))}
      </select>
      {
        <>
          <label for="tenant">
            Tenant <span class="muted">(optional)</span>
          </label>
          <input
            id="tenant"
            name="tenant"
            value={f.tenant}
            maxLength={64}
            spellcheck={false}
            autoComplete="organization"
            placeholder={DEFAULT_TENANT}
            aria-describedby="tenant-hint"
            aria-invalid={p.problem ? true : undefined}
            onInput={(e) => onChange({ tenant: e.currentTarget.value })}
          />
          <p id="tenant-hint" class="muted field-hint">
            {p.problem ? (
              <span class="error" role="alert">
                {p.problem}
              </span>
            ) : (
              `Sent as X-Tenant-Id, which only a gateway with TENANCY=true reads; empty: the tenant ${DEFAULT_TENANT}.`
            )}
          </p>
        </>
      }
    </>
  );
}
