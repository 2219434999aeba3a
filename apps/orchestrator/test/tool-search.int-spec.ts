import { type Actor, type Tasks, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  generatedTools,
  lastUserText,
  type LlmStub,
  type LlmStubRequest,
  type ModernMcpServer,
  type Stack,
  startLlmStub,
  startModernMcpServer,
  startStack,
  toolRequests,
  waitFor,
} from '@switchboard/testing';
import type { Subscription } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { eventsNamed, submitTask, terminal } from './task-client.js';

const REQUESTS = 50;
const actor: Actor = { userId: `searcher-${randomUUID().slice(0, 8)}`, role: 'user' };
const corpServer = (url: string, tools: Record<string, unknown> = {}) =>
  JSON.stringify([{ name: 'corp', url, tools }]);
/** The bytes of tool definitions a model request carries. */
const toolBytes = (req: LlmStubRequest) => Buffer.byteLength(JSON.stringify(req.body.tools ?? []));
const offeredNames = (req: LlmStubRequest) => (req.body.tools ?? []).map((t) => t.function.name);

// Deferred tools end to end (docs/tools.md "Deferred tools and tool search"): the real orchestrator
// planning through a scripted OpenAI-compatible server, real mcp-tools with a real MCP server of 500
// generated tools beside the built-ins, audit, NATS and PostgreSQL. The scripted model searches with
// the request's words and calls the best hit — the first tool its next request offers that its first
// did not.
describe('deferred tools and tool search (real orchestrator, mcp-tools, a 500-tool MCP server)', () => {
  let llm: LlmStub;
  let corp: ModernMcpServer;
  let stack: Stack;
  let client: BusClient;
  let tap: Subscription;
  const subjects: string[] = [];
  const tasks: { taskId: string; text: string; tool: string; events: Tasks.TaskEvent[] }[] = [];
  const firstRequests: LlmStubRequest[] = [];

  beforeAll(async () => {
    llm = await startLlmStub();
    corp = await startModernMcpServer({ tools: generatedTools(500) });
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator'],
      natsIdentities: false,
      env: {
        'mcp-tools': { MCP_SERVERS: corpServer(corp.url) },
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: 'sk-int-test-secret-0123456789',
          LLM_MODEL: 'stub-model',
          LLM_MAX_RETRIES: '0',
        },
      },
    });
    client = await createBusClient(stack.nats.url, 'gateway');
    tap = client.bus.connection.subscribe('sb.cmd.tools.>', {
      callback: (err, msg) => void (err || subjects.push(msg.subject)),
    });
    await client.bus.flush();
    await corpOffered((tools) => tools.some((t) => t.deferred));
  });

  afterAll(async () => {
    tap?.unsubscribe();
    await client?.close();
    await stack?.stop();
    await corp?.close();
    await llm?.stop();
  });

  /** Waits until the user's manifest holds the corp server's tools as `ready` says. */
  const corpOffered = (ready: (tools: Tools.ManifestTool[]) => boolean) =>
    waitFor(
      async () => {
        const { tools } = await client.bus.request(Tools.ToolsManifest, {}, { actor });
        const corpTools = tools.filter((t) => t.provider === 'corp');
        // 500 generated, and the server's own echo, deploy and long_job
        return corpTools.length === 503 && ready(corpTools) ? true : undefined;
      },
      { what: "the corp server's tools offered", timeoutMs: 20_000 },
    );

  /** The model: search with the request's words, call the best hit with its required fields, answer. */
  const searchAndPick = (marker: string) => {
    let first: LlmStubRequest | undefined;
    return llm.script(marker, [
      (req) => {
        first = req;
        firstRequests.push(req);
        const query = lastUserText(req).replace(`${marker} `, '');
        return { toolCalls: [{ name: Tools.SEARCH_TOOL_NAME, arguments: { query } }] };
      },
      (req) => {
        const before = new Set(offeredNames(first!));
        const top = req.body.tools!.find((t) => !before.has(t.function.name))!.function;
        const schema = top.parameters as { required?: string[] };
        const args = Object.fromEntries((schema.required ?? []).map((p) => [p, 'x']));
        return { toolCalls: [{ name: top.name, arguments: args }] };
      },
      { content: 'Done.' },
    ]);
  };

  it('calls the right tool for 50 varied requests, each found by a search the model made', async () => {
    const requests = toolRequests(REQUESTS);
    for (let i = 0; i < requests.length; i += 10) {
      await Promise.all(
        requests.slice(i, i + 10).map(async (r, j) => {
          // the colon ends it: PICK-1 is not a part of PICK-10
          const marker = `PICK-${i + j}:`;
          searchAndPick(marker);
          const text = `${marker} ${r.text}`;
          const task = await submitTask(client, { task: text }, actor);
          tasks.push({ taskId: task.taskId, text, tool: r.tool, events: await task.done });
        }),
      );
    }
    const wrong = tasks.filter((t) => {
      const steps = eventsNamed(t.events, 'orchestrator.step.completed').map((e) => e.data.target);
      return (
        terminal(t.events).name !== 'orchestrator.task.completed' ||
        steps.join() !== [Tools.SEARCH_TOOL_NAME, `corp__${t.tool}`].join()
      );
    });
    expect(wrong.map((t) => t.text)).toEqual([]);
    expect(corp.log.calls).toHaveLength(REQUESTS);
    const grown = eventsNamed(tasks[0]!.events, 'mcp.toolbox.extended')[0]?.data;
    expect(grown?.tools[0]?.name).toBe(`corp__${tasks[0]!.tool}`);
    expect(eventsNamed(tasks[0]!.events, 'mcp.toolbox.generated')[0]?.data.deferred).toBe(503);
  }, 120_000);

  it('replays a task that searched as identical, with no search and no tool run', async () => {
    const original = tasks[0]!;
    const before = { llm: llm.requests.length, calls: corp.log.calls.length };
    subjects.length = 0;
    const replay = await submitTask(client, { task: original.text }, actor, randomUUID(), {
      kind: 'replay',
      of: original.taskId,
    });
    const events = await replay.done;
    expect(eventsNamed(events, 'orchestrator.replay.verdict')[0]?.data).toMatchObject({
      identical: true,
      rounds: 3,
      steps: 2,
    });
    expect(
      subjects.filter((s) => s === Tools.ToolsSearch.subject || s.endsWith(replay.taskId)),
    ).toEqual([]);
    expect({ llm: llm.requests.length, calls: corp.log.calls.length }).toEqual(before);
  }, 30_000);

  it('offers at most 10% of the tool-definition bytes of the same offer with deferral off; a replay after a found tool changed says which', async () => {
    const deferredBytes = toolBytes(firstRequests[0]!);
    const changed = `corp__${tasks[0]!.tool}`;
    await stack.restart('mcp-tools', {
      TOOL_DEFER_THRESHOLD: '0',
      MCP_SERVERS: corpServer(corp.url, { [tasks[0]!.tool]: { idempotent: true } }),
    });
    await corpOffered((tools) => !tools.some((t) => t.deferred));
    llm.script('ALL-TOOLS', [{ content: 'Nothing to do.' }]);
    const task = await submitTask(client, { task: 'ALL-TOOLS: say hello' }, actor);
    expect(terminal(await task.done).name).toBe('orchestrator.task.completed');
    const fullBytes = toolBytes(llm.requests.at(-1)!);
    const corpFunctions = offeredNames(llm.requests.at(-1)!).filter((n) => n.startsWith('corp__'));
    expect(corpFunctions).toHaveLength(503);
    expect(deferredBytes).toBeLessThanOrEqual(fullBytes * 0.1);

    const replay = await submitTask(client, { task: tasks[0]!.text }, actor, randomUUID(), {
      kind: 'replay',
      of: tasks[0]!.taskId,
    });
    const verdict = eventsNamed(await replay.done, 'orchestrator.replay.verdict')[0]?.data;
    expect(verdict?.identical).toBe(false);
    expect(verdict?.divergence?.summary).toContain(
      `the definition of ${changed} changed (idempotent)`,
    );
  }, 60_000);
});
