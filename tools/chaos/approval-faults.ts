import { waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { SERVICES, type ChaosStack } from './chaos-stack.js';
import type { Fault, FaultContext } from './fault.js';

/** The demo task with its note to be approved: it stops before notes.add. */
const TASK = 'what is 17 * 23, then save the result as a note';
/** How long a resumed task may take to end once approved (bounded: a hang is a finding, not a hang). */
const SETTLE_MS = 60_000;

type Waiting = { taskId: string; approvalId: string; user: string };

async function submitWaiting(stack: ChaosStack, findings: string[]): Promise<Waiting | undefined> {
  const user = `chaos-approver-${randomUUID().slice(0, 8)}`;
  const r = await fetch(`${stack.gatewayUrl}/orchestrate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': user },
    body: JSON.stringify({ task: TASK, approval: { tools: ['notes.add'] } }),
  });
  const body = (await r.json()) as { task_id?: string; approval?: { approvalId: string } };
  if (r.status !== 202 || !body.task_id || !body.approval) {
    findings.push(`a task to approve did not stop for approval: HTTP ${r.status}`);
    return undefined;
  }
  return { taskId: body.task_id, approvalId: body.approval.approvalId, user };
}

/** Approves, then checks the task ends completed with exactly one note. */
async function approveAndCheck(ctx: FaultContext, w: Waiting): Promise<void> {
  const headers = { 'content-type': 'application/json', 'x-user-id': w.user };
  const r = await fetch(`${ctx.stack.gatewayUrl}/tasks/${w.taskId}/approvals/${w.approvalId}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ decision: 'approve' }),
  });
  if (r.status !== 200) {
    ctx.findings.push(`approving after the fault answered HTTP ${r.status}`);
    return;
  }
  let status = 'unknown';
  await waitFor(
    async () => {
      const t = await fetch(`${ctx.stack.gatewayUrl}/tasks/${w.taskId}`, { headers });
      status = ((await t.json()) as { status?: string }).status ?? 'unknown';
      return ['completed', 'failed', 'cancelled'].includes(status);
    },
    { timeoutMs: SETTLE_MS, intervalMs: 200, what: 'the approved task to end' },
  ).catch(() => undefined);
  if (status !== 'completed')
    ctx.findings.push(`the approved task ended ${status}, not completed, within ${SETTLE_MS} ms`);
  const notes = await ctx.stack.dbs.tools.query('SELECT 1 FROM "Note" WHERE "userId" = $1', [
    w.user,
  ]);
  if (notes.length !== 1)
    ctx.findings.push(`the approved note was written ${notes.length} times, not once`);
  ctx.notes.push(`the approved task ended ${status} with ${notes.length} note(s)`);
}

/** kill -9 the orchestrator while a task waits for approval; the decision resumes it afterwards. */
export const killOrchestratorWhileWaiting: Fault = {
  id: 'kill-orchestrator-waiting-approval',
  label: 'kill -9 orchestrator while a task waits for approval',
  quick: true,
  refusals: 'none',
  strike: async (ctx) => {
    const waiting = await submitWaiting(ctx.stack, ctx.findings);
    await ctx.stack.services.orchestrator.kill();
    const endedAt = Date.now();
    await ctx.stack.start('orchestrator');
    if (waiting) await approveAndCheck(ctx, waiting);
    return { endedAt, outage: true };
  },
};

/** Every service stopped and started again while a task waits; the decision still resumes it. */
export const restartEverythingWhileWaiting: Fault = {
  id: 'restart-all-waiting-approval',
  label: 'restart every service while a task waits for approval',
  // In CI on the cell (`--cell`), where it is a restart of the one process `npm run up` runs.
  quick: false,
  refusals: 'clean',
  strike: async (ctx) => {
    const waiting = await submitWaiting(ctx.stack, ctx.findings);
    for (const name of SERVICES) await ctx.stack.services[name].stop();
    const endedAt = Date.now();
    await ctx.stack.startAll();
    if (waiting) await approveAndCheck(ctx, waiting);
    return { endedAt, outage: true };
  },
};
