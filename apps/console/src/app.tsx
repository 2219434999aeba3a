import { type ApiError, SwitchboardClient } from '@switchboard/client';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  authOf,
  clearCredentials,
  type ConsoleConfig,
  type Credentials,
  gatewayBase,
  loadCredentials,
  type Me,
  saveCredentials,
} from './api/session';
import { describeError } from './components/load.hook';
import { ErrorNotice } from './components/notice.component';
import { SessionContext } from './context';
import { identityWords, ignoredTenantNotice } from './model/tenant';
import { hrefOf, parseRoute, type Route } from './router';
import { ApprovalsView } from './views/approvals.view';
import { AuditView } from './views/audit.view';
import { CatalogView } from './views/catalog.view';
import { DatasetsView } from './views/datasets.view';
import { DiffView } from './views/diff.view';
import { ExperimentsView } from './views/experiments.view';
import { HealthView } from './views/health.view';
import { LiveView } from './views/live.view';
import { McpView } from './views/mcp.view';
import { MemoryView } from './views/memory.view';
import { RunView } from './views/run.view';
import { SchedulesView } from './views/schedules.view';
import { AgentsView } from './views/agents.view';
import { SignInView } from './views/sign-in.view';
import { TaskView } from './views/task.view';
import { TasksView } from './views/tasks.view';
import { UsageView } from './views/usage.view';
import { WebhooksView } from './views/webhooks.view';

const NAV: { route: Route; label: string; admin?: boolean }[] = [
  { route: { view: 'run' }, label: 'Run' },
  { route: { view: 'tasks' }, label: 'Tasks' },
  { route: { view: 'approvals' }, label: 'Approvals' },
  { route: { view: 'schedules' }, label: 'Schedules' },
  { route: { view: 'agents' }, label: 'Agent versions' },
  { route: { view: 'datasets' }, label: 'Datasets' },
  { route: { view: 'experiments' }, label: 'Experiments' },
  { route: { view: 'webhooks' }, label: 'Webhooks' },
  { route: { view: 'memory' }, label: 'Memory' },
  { route: { view: 'catalog' }, label: 'Tools & agents' },
  { route: { view: 'mcp' }, label: 'MCP' },
  { route: { view: 'usage' }, label: 'Usage' },
  { route: { view: 'audit' }, label: 'Audit', admin: true },
  { route: { view: 'live' }, label: 'Live', admin: true },
  { route: { view: 'health' }, label: 'Health' },
];

/** The gateway's API as the signed-in user; a 401 the token cannot cure signs the user out. */
function useClient(
  base: string,
  credentials: Credentials | undefined,
  onSignedOut: (e: ApiError) => void,
): SwitchboardClient {
  return useMemo(
    () =>
      new SwitchboardClient({ baseUrl: base, ...authOf(credentials), onUnauthorized: onSignedOut }),
    [base, credentials],
  );
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** The console: sign-in until the gateway accepts the user, then the views. */
export function App() {
  const store = sessionStorage;
  const base = useMemo(() => gatewayBase(location.href), []);
  const [config, setConfig] = useState<ConsoleConfig>();
  const [credentials, setCredentials] = useState<Credentials | undefined>(() =>
    loadCredentials(store),
  );
  const [me, setMe] = useState<Me>();
  const [headers, setHeaders] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const client = useClient(base, credentials, (e) => {
    setMe(undefined);
    setError(`Signed out: ${e.message}`);
  });

  useEffect(() => {
    new SwitchboardClient({ baseUrl: base })
      .consoleConfig()
      .then(setConfig, (e: unknown) => setError(`The gateway did not answer: ${describeError(e)}`));
  }, [base]);

  useEffect(() => {
    if (!config || !credentials) return;
    if (credentials.mode !== config.authMode) return setCredentials(undefined);
    Promise.all([client.me(), client.headers()]).then(
      ([m, h]) => {
        setHeaders(h);
        setMe(m);
        setError(undefined);
        saveCredentials(store, credentials);
      },
      (e: unknown) => {
        setMe(undefined);
        setError(describeError(e));
      },
    );
  }, [config, credentials, client]);

  // What bench/console times: navigation start → the first view on screen.
  useEffect(() => {
    performance.mark('sb-console-first-render');
  }, []);

  if (!config || !me) {
    return (
      <SignInView
        key={config ? 'ready' : 'waiting'}
        config={config}
        error={error}
        busy={credentials !== undefined && error === undefined && config !== undefined}
        onSignIn={(c) => {
          setError(undefined);
          setCredentials({ ...c });
        }}
      />
    );
  }
  const signOut = () => {
    clearCredentials(store);
    setCredentials(undefined);
    setMe(undefined);
  };
  return (
    <SessionContext.Provider value={{ client, headers, me, store }}>
      <Shell
        me={me}
        onSignOut={signOut}
        error={error}
        notice={ignoredTenantNotice(credentials, me)}
      />
    </SessionContext.Provider>
  );
}

function Shell({
  me,
  onSignOut,
  error,
  notice,
}: {
  me: Me;
  onSignOut: () => void;
  error?: string | undefined;
  /** Something the user should know about their session (a tenant the gateway ignores). */
  notice?: string | undefined;
}) {
  const route = useRoute();
  const heading = useRef<HTMLDivElement>(null);
  // After navigating (not on the first view), focus moves to the new view, as a page load would put it.
  const navigated = useRef(false);
  useEffect(() => {
    if (navigated.current) heading.current?.querySelector<HTMLElement>('h1')?.focus();
    navigated.current = true;
  }, [route.view]);
  const current = route.view === 'task' || route.view === 'diff' ? 'tasks' : route.view;
  // bench/console: the signed-in console's first view is on screen.
  useEffect(() => {
    performance.mark('sb-console-view-ready');
  }, []);
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          heading.current?.querySelector<HTMLElement>('h1')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Switchboard</span>
        <nav aria-label="Views">
          <ul>
            {NAV.filter((n) => !n.admin || me.admin).map((n) => (
              <li key={n.route.view}>
                <a
                  href={hrefOf(n.route)}
                  aria-current={current === n.route.view ? 'page' : undefined}
                >
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {me.userId} <span class="muted">({me.role})</span>
          {identityWords(me).map((w) => (
            <span key={w} class="identity">
              {w}
            </span>
          ))}
          <button type="button" class="link" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" ref={heading}>
        <ErrorNotice error={error} />
        {notice && <p class="notice notice-warn session-notice">{notice}</p>}
        <View route={route} admin={me.admin} />
      </main>
    </>
  );
}

function View({ route, admin }: { route: Route; admin: boolean }) {
  switch (route.view) {
    case 'run':
      return <RunView taskId={route.taskId} />;
    case 'tasks':
      return <TasksView />;
    case 'task':
      return <TaskView taskId={route.taskId} />;
    case 'diff':
      return <DiffView a={route.a} b={route.b} />;
    case 'approvals':
      return <ApprovalsView />;
    case 'schedules':
      return <SchedulesView />;
    case 'agents':
      return <AgentsView />;
    case 'datasets':
      return <DatasetsView name={route.name} />;
    case 'experiments':
      return <ExperimentsView experimentId={route.experimentId} />;
    case 'webhooks':
      return <WebhooksView />;
    case 'memory':
      return <MemoryView />;
    case 'catalog':
      return <CatalogView />;
    case 'usage':
      return <UsageView tenant={route.tenant} />;
    case 'audit':
      return admin ? <AuditView /> : <AdminsOnly name="Audit" />;
    case 'live':
      return admin ? <LiveView /> : <AdminsOnly name="Live" />;
    case 'mcp':
      return <McpView />;
    case 'health':
      return <HealthView />;
  }
}

function AdminsOnly({ name }: { name: string }) {
  return (
    <section>
      <h1 tabIndex={-1}>{name}</h1>
      <p class="notice notice-error" role="alert">
        This view is for admins only. The gateway refuses its data to other users.
      </p>
    </section>
  );
}
