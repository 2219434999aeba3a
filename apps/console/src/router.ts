/** The console's pages, addressed by the URL's fragment (`#/tasks/<id>`), so the gateway serves one page. */
export type Route =
  | { view: 'run'; taskId?: string }
  | { view: 'tasks' }
  | { view: 'task'; taskId: string }
  | { view: 'approvals' }
  | { view: 'catalog' }
  | { view: 'audit' }
  | { view: 'live' }
  | { view: 'health' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseRoute(hash: string): Route {
  const [view = '', id] = hash.replace(/^#\/?/, '').split('/');
  switch (view) {
    case 'tasks':
      return id && UUID.test(id) ? { view: 'task', taskId: id } : { view: 'tasks' };
    case 'approvals':
    case 'catalog':
    case 'audit':
    case 'live':
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
    default:
      return `#/${r.view}`;
  }
}
