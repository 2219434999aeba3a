import { type Approvals, Tasks } from '@switchboard/contracts';
import {
  collectSse,
  type LlmStub,
  type Stack,
  startLlmStub,
  startStack,
  toolResults,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

// Several calls of one planning round that need approval (docs/approvals.md): each gets its own
// approval id, they are decided independently and in any order, and the task goes on only when all
// are decided — each call running or not by its own decision. The plan comes from an
// OpenAI-compatible stand-in that asks for two notes in one completion.
describe('several approvals in one planning round (real processes, identities on NATS)', () => {
  let stack: Stack;
  let llm: LlmStub;

  beforeAll(async () => {
    llm = await startLlmStub();
    stack = await startStack({
      shape: 'cell',
      natsIdentities: true,
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: 'sk-e2e-approvals-round-0123456789',
          LLM_MODEL: 'stub-model',
        },
      },
    });
  });

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await llm?.stop();
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, user: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  const notesOf = (user: string) =>
    stack.dbs.tools.query<{ content: string }>('SELECT content FROM "Note" WHERE "userId" = $1', [
      user,
    ]);

  const statusOf = async (taskId: string, user: string) =>
    ((await (await call('GET', `/tasks/${taskId}`, user)).json()) as Tasks.TaskView).status;

  it('two calls, two approval ids: the second approved first, the first rejected; only the approved one runs', async () => {
    const user = `dora-${randomUUID().slice(0, 8)}`;
    const task = `write two notes ${randomUUID().slice(0, 8)}`;
    const script = llm.script(task, [
      {
        toolCalls: [
          { name: 'notes__add', arguments: { content: 'first' } },
          { name: 'notes__add', arguments: { content: 'second' } },
        ],
      },
      { content: 'wrote the second note; the first was rejected' },
    ]);
    const submitted = await call('POST', '/orchestrate', user, {
      task,
      approval: { tools: ['notes.add'] },
    });
    expect(submitted.status).toBe(202);
    const { task_id: taskId } = (await submitted.json()) as { task_id: string };

    const pending = await waitFor(
      async () => {
        const res = await call('GET', `/tasks/${taskId}/approvals`, user);
        const { approvals } = (await res.json()) as { approvals: Approvals.ApprovalView[] };
        return approvals.length === 2 ? approvals : undefined;
      },
      { what: "both of the round's approvals" },
    );
    const byContent = (c: string) =>
      pending.find((a) => (a.input as { content?: string }).content === c)!;
    const first = byContent('first');
    const second = byContent('second');
    expect(first.approvalId).not.toBe(second.approvalId);
    expect(first.stepId).not.toBe(second.stepId);
    expect(first.argsHash).not.toBe(second.argsHash);
    expect(pending.map((a) => a.status)).toEqual(['pending', 'pending']);

    // The second is approved first: the task still waits for the other one, nothing runs yet.
    const approved = await call('POST', `/tasks/${taskId}/approvals/${second.approvalId}`, user, {
      decision: 'approve',
    });
    expect(approved.status).toBe(200);
    expect(await statusOf(taskId, user)).toBe('waiting_approval');
    expect(await notesOf(user)).toEqual([]);
    expect(script.requests).toHaveLength(1);

    const rejected = await call('POST', `/tasks/${taskId}/approvals/${first.approvalId}`, user, {
      decision: 'reject',
      reason: 'one note is enough',
    });
    expect(rejected.status).toBe(200);

    const events = await collectSse(await call('GET', `/tasks/${taskId}/events`, user));
    const parsed = events.map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
    expect(parsed[parsed.length - 1]!.name).toBe('orchestrator.task.completed');
    const requested = parsed.filter((e) => e.name === 'orchestrator.approval.requested');
    const decided = parsed.flatMap((e) =>
      e.name === 'orchestrator.approval.decided' ? [[e.data.approvalId, e.data.status]] : [],
    );
    expect(
      requested
        .map((e) => e.name === 'orchestrator.approval.requested' && e.data.approvalId)
        .sort(),
    ).toEqual([first.approvalId, second.approvalId].sort());
    expect(decided.sort()).toEqual(
      [
        [first.approvalId, 'rejected'],
        [second.approvalId, 'approved'],
      ].sort(),
    );

    // Only the approved call ran; the model heard the rejection, with its reason, as a failed call.
    expect(await notesOf(user)).toEqual([{ content: 'second' }]);
    expect(script.requests).toHaveLength(2);
    const heard = JSON.stringify(toolResults(script.requests[1]!));
    expect(heard).toContain('one note is enough');
    const steps = await waitFor(
      async () => {
        const res = await call('GET', `/tasks/${taskId}`, user);
        const view = (await res.json()) as Tasks.TaskView;
        return view.status === 'completed' ? view.steps : undefined;
      },
      { what: 'the task stored as completed' },
    );
    expect(steps.map((s) => s.status).sort()).toEqual(['completed', 'failed']);
  });
});
