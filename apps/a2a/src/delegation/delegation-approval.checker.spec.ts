import { describe, expect, it } from '@jest/globals';
import { type A2a, Approvals, DomainError } from '@switchboard/contracts';
import {
  MessagingTimeoutError,
  type NatsBus,
  NoRespondersError,
  RemoteError,
} from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import { randomUUID } from 'node:crypto';
import type { AgentRegistry } from '../agents/agent-registry.service.js';
import type { ConfiguredAgent } from '../agents/agents.config.js';
import { DelegationApprovalChecker } from './delegation-approval.checker.js';
import type { DelegationReporter } from './delegation.reporter.js';

const POLICY = Approvals.ApprovalPolicy.parse({});
const TASK = randomUUID();
const APPROVAL = randomUUID();
const ARGS = { message: 'pay invoice 42', context: 'from the ledger' };

type Answer = { decidedBy: string } | Error;

/** The checker over an agent, an orchestrator the test scripts, and what was asked and audited. */
function setup(opts: { policy?: Approvals.ApprovalPolicy; answer?: Answer } = {}) {
  const asked: unknown[] = [];
  const audited: { outcome: string; details: Record<string, unknown> }[] = [];
  const bus = {
    request: async (contract: { subject: string }, payload: { approvalId: string }) => {
      expect(contract.subject).toBe(Approvals.ApprovalVerify.subject);
      asked.push(payload);
      const answer = opts.answer ?? { decidedBy: 'bob' };
      if (answer instanceof Error) throw answer;
      return { approvalId: payload.approvalId, ...answer };
    },
  } as unknown as NatsBus;
  const policy = 'policy' in opts ? opts.policy : POLICY;
  const registry = {
    require: (name: string): ConfiguredAgent => {
      if (name !== 'billing') throw new DomainError('NOT_FOUND', `no agent named "${name}"`);
      return { name, baseUrl: 'http://billing.example', ...(policy ? { approval: policy } : {}) };
    },
  } as unknown as AgentRegistry;
  const reporter = {
    record: (_r: unknown, outcome: string, details: Record<string, unknown>) =>
      audited.push({ outcome, details }),
  } as unknown as DelegationReporter;
  return { sut: new DelegationApprovalChecker(bus, registry, reporter), asked, audited };
}

const delegation = (extra: Partial<A2a.DelegateRequest> = {}): A2a.DelegateRequest => ({
  delegationId: randomUUID(),
  taskId: TASK,
  stepId: 's1',
  agent: 'billing',
  ...ARGS,
  approval: { id: APPROVAL, argsHash: approvalArgsHash('billing', ARGS) },
  ...extra,
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as DomainError,
  );

describe(DelegationApprovalChecker.name, () => {
  it('lets a delegation to an agent without a policy go without asking anyone', async () => {
    const { sut, asked, audited } = setup({ policy: undefined });
    await expect(sut.assertApproved(delegation({ approval: undefined }))).resolves.toBe(undefined);
    expect(asked).toEqual([]);
    expect(audited).toEqual([]);
  });

  it('lets one go that the orchestrator confirms for exactly this task, agent and arguments', async () => {
    const { sut, asked, audited } = setup();
    await expect(sut.assertApproved(delegation())).resolves.toEqual({
      approvalId: APPROVAL,
      decidedBy: 'bob',
    });
    expect(asked).toEqual([
      {
        approvalId: APPROVAL,
        taskId: TASK,
        target: 'billing',
        argsHash: approvalArgsHash('billing', ARGS),
      },
    ]);
    expect(audited).toEqual([]);
  });

  it('hashes the message alone when there is no context, as the gate hashed {message}', async () => {
    const { sut } = setup();
    const bare = delegation({
      context: undefined,
      approval: { id: APPROVAL, argsHash: approvalArgsHash('billing', { message: ARGS.message }) },
    });
    await expect(sut.assertApproved(bare)).resolves.toMatchObject({ approvalId: APPROVAL });
  });

  it('hashes the reply on the agent task for a continuation, not the message', async () => {
    const { sut, asked } = setup();
    const answer = { remoteTaskId: 'rt-1', contextId: 'ctx-1', reply: 'yes, pay it' };
    const onTask = approvalArgsHash('billing', { remoteTaskId: 'rt-1', reply: 'yes, pay it' });
    const continued = delegation({
      continue: answer,
      approval: { id: APPROVAL, argsHash: onTask },
    });
    await expect(sut.assertApproved(continued)).resolves.toMatchObject({ approvalId: APPROVAL });
    // The approver wrote only the reply: that is what was approved, and what is sent.
    const replyOnly = approvalArgsHash('billing', { reply: 'yes, pay it' });
    const edited = delegation({
      continue: answer,
      approval: { id: APPROVAL, argsHash: replyOnly },
    });
    await expect(sut.assertApproved(edited)).resolves.toMatchObject({ approvalId: APPROVAL });
    expect(asked.map((a) => (a as { argsHash: string }).argsHash)).toEqual([onTask, replyOnly]);
    for (const other of [
      { ...answer, reply: 'no' },
      { ...answer, remoteTaskId: 'rt-2' },
    ]) {
      const changed = delegation({ continue: other, approval: continued.approval });
      await expect(refusal(sut.assertApproved(changed))).resolves.toMatchObject({
        details: { reason: 'approval-mismatch' },
      });
    }
  });

  it('refuses one without an approval, without asking the orchestrator, and audits it', async () => {
    const { sut, asked, audited } = setup();
    const e = await refusal(sut.assertApproved(delegation({ approval: undefined })));
    expect(e).toMatchObject({
      code: 'FORBIDDEN',
      details: { agent: 'billing', taskId: TASK, reason: 'approval-missing' },
    });
    expect(e.message).toContain("agent billing needs a person's approval");
    expect(asked).toEqual([]);
    expect(audited).toEqual([{ outcome: 'denied', details: { reason: 'approval-missing' } }]);
  });

  it('refuses arguments other than the approved ones (the hash is computed here, not trusted)', async () => {
    const { sut, asked, audited } = setup();
    const changed = delegation({ message: 'pay invoice 43' });
    const e = await refusal(sut.assertApproved(changed));
    expect(e).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'approval-mismatch' } });
    // Another agent's hash of the same arguments does not do either.
    const otherAgent = delegation({
      approval: { id: APPROVAL, argsHash: approvalArgsHash('researcher', ARGS) },
    });
    await expect(refusal(sut.assertApproved(otherAgent))).resolves.toMatchObject({
      details: { reason: 'approval-mismatch' },
    });
    expect(asked).toEqual([]);
    expect(audited.map((a) => [a.outcome, a.details['reason'], a.details['approvalId']])).toEqual([
      ['denied', 'approval-mismatch', APPROVAL],
      ['denied', 'approval-mismatch', APPROVAL],
    ]);
  });

  it.each([
    ['FORBIDDEN', 'approval was rejected'],
    ['NOT_FOUND', 'no such approval'],
  ] as const)('refuses when the orchestrator answers %s', async (code, message) => {
    const { sut, audited } = setup({
      answer: new RemoteError('orchestrator', { code, message, retryable: false }),
    });
    const e = await refusal(sut.assertApproved(delegation()));
    expect(e).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'approval-not-confirmed' } });
    expect(e.message).toContain(message);
    expect(audited).toHaveLength(1);
  });

  it.each([
    ['no responders', new NoRespondersError(Approvals.ApprovalVerify.subject, 'orchestrator')],
    ['no reply in time', new MessagingTimeoutError(Approvals.ApprovalVerify.subject, 5_000)],
  ])('sends nothing when the orchestrator cannot be asked (%s): retryable', async (_, e) => {
    const { sut, audited } = setup({ answer: e });
    await expect(refusal(sut.assertApproved(delegation()))).resolves.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    expect(audited).toEqual([]);
  });

  it('passes on an unknown agent as NOT_FOUND', async () => {
    const { sut } = setup();
    await expect(
      refusal(sut.assertApproved(delegation({ agent: 'plumber' }))),
    ).resolves.toMatchObject({ code: 'NOT_FOUND' });
  });
});
