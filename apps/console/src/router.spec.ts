import { describe, expect, it } from '@jest/globals';
import { hrefOf, parseRoute } from './router';

const ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const OTHER = '0c1d2e3f-4a5b-4e6f-8a9b-7f3a2c1e5b4d';

describe(parseRoute.name, () => {
  it('reads each view from the fragment, and goes back to Run for anything else', () => {
    expect(parseRoute('')).toEqual({ view: 'run' });
    expect(parseRoute(`#/run/${ID}`)).toEqual({ view: 'run', taskId: ID });
    expect(parseRoute(`#/tasks/${ID}`)).toEqual({ view: 'task', taskId: ID });
    expect(parseRoute('#/tasks/not-an-id')).toEqual({ view: 'tasks' });
    expect(parseRoute('#/live')).toEqual({ view: 'live' });
    expect(parseRoute('#/mcp')).toEqual({ view: 'mcp' });
    expect(parseRoute('#/approvals')).toEqual({ view: 'approvals' });
    expect(parseRoute('#/webhooks')).toEqual({ view: 'webhooks' });
    expect(parseRoute('#/memory')).toEqual({ view: 'memory' });
    expect(parseRoute('#/schedules')).toEqual({ view: 'schedules' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'run' });
    expect(parseRoute('#/usage')).toEqual({ view: 'usage' });
    expect(parseRoute('#/usage/acme')).toEqual({ view: 'usage', tenant: 'acme' });
    expect(parseRoute('#/usage/not%20a%20tenant')).toEqual({ view: 'usage' });
    expect(parseRoute('#/datasets/support-tasks')).toEqual({
      view: 'datasets',
      name: 'support-tasks',
    });
    expect(parseRoute('#/datasets/Not%20One')).toEqual({ view: 'datasets' });
    expect(parseRoute('#/experiments/nope')).toEqual({ view: 'experiments' });
    expect(parseRoute(`#/diff/${ID}/${OTHER}`)).toEqual({ view: 'diff', a: ID, b: OTHER });
    expect(parseRoute(`#/diff/${ID}`)).toEqual({ view: 'tasks' });
    expect(parseRoute(`#/diff/${ID}/nope`)).toEqual({ view: 'tasks' });
    for (const r of [
      { view: 'audit' as const },
      { view: 'approvals' as const },
      { view: 'webhooks' as const },
      { view: 'memory' as const },
      { view: 'schedules' as const },
      { view: 'task' as const, taskId: ID },
      { view: 'usage' as const },
      { view: 'usage' as const, tenant: 'globex-2' },
      { view: 'diff' as const, a: ID, b: OTHER },
      { view: 'datasets' as const },
      { view: 'datasets' as const, name: 'support-tasks' },
      { view: 'experiments' as const },
      { view: 'experiments' as const, experimentId: ID },
    ])
      expect(parseRoute(hrefOf(r))).toEqual(r);
  });
});
