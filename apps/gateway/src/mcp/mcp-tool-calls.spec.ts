import { DomainError, type Actor, type Approvals, type Tools } from '@switchboard/contracts';
import { callRequestOf, listMcpTools, offeredCall, routeCall } from './mcp-tool-calls.js';
import { ProtocolError } from './mcp.translator.js';
import type { PlatformTools } from './platform-tools.js';
import { RUN_TASK_TOOL } from './run-task.tool.js';

const ann: Actor = { userId: 'ann', role: 'user' };
const caller = { actor: ann, constraints: undefined };
const calculator = {
  name: 'calculator',
  provider: 'math',
  inputSchema: { type: 'object' },
  idempotent: true,
} as unknown as Tools.ManifestTool;
const gated = {
  ...calculator,
  name: 'notes.add',
  approval: {} as Approvals.ApprovalPolicy,
} as Tools.ManifestTool;

/** PlatformTools answering from a fixed list; `calls` records the direct calls. */
function platform(listed: () => Promise<Tools.ManifestTool[]>) {
  const calls: string[] = [];
  const tools = {
    listed: async () => ({ tools: await listed() }),
    offered: async (_actor: Actor, tool: string) => (await listed()).find((t) => t.name === tool),
    call: async (_actor: Actor, tool: string) => {
      calls.push(tool);
      return { output: { sum: 3 } };
    },
  } as unknown as PlatformTools;
  return { tools, calls };
}

describe(listMcpTools.name, () => {
  it('lists the tools as MCP tools', async () => {
    const { tools } = platform(async () => [calculator]);
    const listed = await listMcpTools(tools, caller);
    expect(listed.map((t) => [t.name, t._meta])).toEqual([
      ['calculator', { 'dev.switchboard/provider': 'math' }],
    ]);
  });

  it('turns a failure into the protocol error naming the domain error', async () => {
    const { tools } = platform(() =>
      Promise.reject(new DomainError('UPSTREAM_UNAVAILABLE', 'down')),
    );
    const failure = await listMcpTools(tools, caller).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as ProtocolError).message).toBe('UPSTREAM_UNAVAILABLE: down');
  });
});

describe(callRequestOf.name, () => {
  it('reads the name, the arguments and the thread of a call', () => {
    expect(
      callRequestOf({
        name: 'calculator',
        arguments: { a: 1 },
        _meta: { 'dev.switchboard/thread': { id: 'chat', policy: 'enqueue' } },
      }),
    ).toEqual({ name: 'calculator', args: { a: 1 }, thread: { id: 'chat', policy: 'enqueue' } });
    expect(callRequestOf({ name: 'calculator' })).toEqual({
      name: 'calculator',
      args: {},
      thread: undefined,
    });
  });

  it('refuses a bad thread with the protocol error naming the field, not a tool failure', () => {
    const bad = () =>
      callRequestOf({
        name: 'calculator',
        _meta: { 'dev.switchboard/thread': { id: 'chat', policy: 'later' } },
      });
    expect(bad).toThrow(ProtocolError);
    expect(bad).toThrow(/^_meta\["dev.switchboard\/thread"\]\.policy: /);
  });
});

describe(offeredCall.name, () => {
  it('adds the tool as offered to the caller, undefined when it is not', async () => {
    const { tools } = platform(async () => [calculator]);
    const asked = { name: 'calculator', args: { a: 1 }, thread: undefined };
    expect(await offeredCall(tools, caller, asked)).toEqual({ ...asked, offered: calculator });
    expect(await offeredCall(tools, caller, { ...asked, name: 'nope' })).toEqual({
      ...asked,
      name: 'nope',
      offered: undefined,
    });
  });

  it('refuses arguments with control characters as VALIDATION naming the path, before any lookup', async () => {
    const { tools } = platform(() => Promise.reject(new Error('must not be asked')));
    const refused = await offeredCall(tools, caller, {
      name: 'calculator',
      args: { expression: 'a\u0000b' },
      thread: undefined,
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('expression'),
    });
  });
});

describe(routeCall.name, () => {
  const args = { a: 1, b: 2 };

  it('calls a plain tool off any thread directly, and one not offered (its call says why)', async () => {
    const { tools, calls } = platform(async () => []);
    const plain = await routeCall(tools, caller, {
      name: 'calculator',
      args,
      offered: calculator,
      thread: undefined,
    });
    expect(plain).toEqual({
      answer: { content: [{ type: 'text', text: '{"sum":3}' }], structuredContent: { sum: 3 } },
    });
    await routeCall(tools, caller, { name: 'nope', args, offered: undefined, thread: undefined });
    expect(calls).toEqual(['calculator', 'nope']);
  });

  it('gates a tool that needs approval, and any call on a thread, without calling it', async () => {
    const { tools, calls } = platform(async () => []);
    const thread = { id: 'support-42' } as never;
    expect(
      await routeCall(tools, caller, {
        name: 'notes.add',
        args,
        offered: gated,
        thread: undefined,
      }),
    ).toEqual({
      gated: { ...caller, tool: gated, input: args, thread: undefined, task: undefined },
    });
    const onThread = await routeCall(tools, caller, {
      name: 'calculator',
      args,
      offered: calculator,
      thread,
    });
    expect(onThread).toEqual({
      gated: { ...caller, tool: calculator, input: args, thread, task: undefined },
    });
    expect(calls).toEqual([]);
  });

  it('runs the endpoint’s own tool as a whole task, its arguments the task request', async () => {
    const { tools } = platform(async () => []);
    const runTask = { ...calculator, name: RUN_TASK_TOOL } as Tools.ManifestTool;
    const route = await routeCall(tools, caller, {
      name: RUN_TASK_TOOL,
      args: { task: 'sum 1 and 2' },
      offered: runTask,
      thread: undefined,
    });
    expect(route).toMatchObject({ gated: { tool: runTask, task: { task: 'sum 1 and 2' } } });
  });
});
