import type { Actor, Tasks, Tools } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { PlatformTools } from './platform-tools.js';
import { RUN_TASK_TOOL } from './run-task.tool.js';

const ann: Actor = { userId: 'ann', role: 'user' };
const calculator = { name: 'calculator' } as Tools.ManifestTool;

function listed(constraints: Tasks.ToolConstraints | undefined): Promise<string[]> {
  const bus = {
    request: () =>
      Promise.resolve({ tools: [calculator], mode: 'auto', generatedAt: '', cached: false }),
  } as unknown as NatsBus;
  return new PlatformTools(bus).manifest(ann, constraints).then((m) => m.tools.map((t) => t.name));
}

describe(PlatformTools.name, () => {
  it('offers switchboard.run_task beside the caller’s tools', async () => {
    expect(await listed(undefined)).toEqual(['calculator', RUN_TASK_TOOL]);
    expect(await listed({ mode: 'auto' })).toEqual(['calculator', RUN_TASK_TOOL]);
  });

  it('does not offer it on an endpoint narrowed to named providers or tools', async () => {
    expect(await listed({ mode: 'custom', providers: ['math'] })).toEqual(['calculator']);
    expect(await listed({ mode: 'auto', tools: ['calculator'] })).toEqual(['calculator']);
  });
});

describe('PlatformTools.listed', () => {
  it('lists the tools an MCP client is shown: not the deferred ones, which stay callable by name', async () => {
    const deferred = { name: 'corp__send_sms', deferred: true } as Tools.ManifestTool;
    const search = { name: 'search_tools' } as Tools.ManifestTool;
    const bus = {
      request: () =>
        Promise.resolve({
          tools: [calculator, deferred, search],
          mode: 'auto',
          generatedAt: '',
          cached: false,
        }),
    } as unknown as NatsBus;
    const tools = new PlatformTools(bus);
    const shown = (await tools.listed(ann, undefined)).tools.map((t) => t.name);
    expect(shown).toEqual(['calculator', 'search_tools', RUN_TASK_TOOL]);
    expect(await tools.offered(ann, 'corp__send_sms', undefined)).toEqual(deferred);
  });
});
