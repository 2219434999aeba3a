/** The console's pages, addressed by the URL's fragment (`#/tasks/<id>`), so the gateway serves one page. */
export type Route =
  | { view: 'run'; taskId?: string }
  | { view: 'tasks' }
  | { view: 'task'; taskId: string }
  /** Two runs of a task side by side (GET /tasks/{a}/diff/{b}). */
  | { view: 'diff'; a: string; b: string }
  | { view: 'approvals' }
  | { view: 'webhooks' }
  /** Long-term memory: the user's items, search, forget (docs/memory.md). */
  | { view: 'memory' }
  | { view: 'schedules' }
  /** Agent versions: agents, labels and canaries, versions and their diff (docs/agents.md). */
  | { view: 'agents' }
  /** Datasets of recorded tasks; `name`: one with its items (docs/evaluations.md). */
  | { view: 'datasets'; name?: string }
  /** Experiments; `experimentId`: one against its baseline, side by side. */
  | { view: 'experiments'; experimentId?: string }
  /** Usage; `tenant`: another tenant's (the platform operator's picker). */
  | { view: 'usage'; tenant?: string }
  | { view: 'catalog' }
  | { view: 'audit' }
  | { view: 'live' }
  /** How to connect an MCP client, and the tools it offers the user. */
  | { view: 'mcp' }
  | { view: 'health' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A tenant id (libs/contracts TenantId): one safe token, so it needs no escaping in the fragment. */
/** A dataset name (libs/contracts DatasetName): safe in the fragment as it is. */
const DATASET = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const TENANT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function parseRoute(hash: string): Route {
  const [view = '', id, other] = hash.replace(/^#\/?/, '').split('/');
  switch (view) {
    case 'diff':
      return id && other && UUID.test(id) && UUID.test(other)
        ? { view: 'diff', a: id, b: other }
        : { view: 'tasks' };
    case 'tasks':
      return id && UUID.test(id) ? { view: 'task', taskId: id } : { view: 'tasks' };
    case 'datasets':
      return id && DATASET.test(id) ? { view: 'datasets', name: id } : { view: 'datasets' };
    case 'experiments':
      return id && UUID.test(id)
        ? { view: 'experiments', experimentId: id }
        : { view: 'experiments' };
    case 'usage':
      return id && TENANT.test(id) ? { view: 'usage', tenant: id } : { view: 'usage' };
    case 'approvals':
    case 'webhooks':
    case 'memory':
    case 'schedules':
    case 'agents':
    case 'catalog':
    case 'audit':
    case 'live':
    case 'mcp':
    case 'health':
      return { view };
    default:
      return id && UUID.test(id) ? { view: 'run', taskId: id } : { view: 'run' };
  }
}

export function hrefOf(r: Route): string {
  switch (r.view) {
    case 'run':
      return r.taskId ? `#/run/${r.taskId}` : '#/run';
    case 'task':
      return `#/tasks/${r.taskId}`;
    case 'diff':
      return `#/diff/${r.a}/${r.b}`;
    case 'datasets':
      return r.name ? `#/datasets/${r.name}` : '#/datasets';
    case 'experiments':
      return r.experimentId ? `#/experiments/${r.experimentId}` : '#/experiments';
    case 'usage':
      return r.tenant ? `#/usage/${r.tenant}` : '#/usage';
    default:
      return `#/${r.view}`;
  }
}
