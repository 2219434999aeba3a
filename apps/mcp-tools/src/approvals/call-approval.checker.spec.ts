import { describe, expect, it } from '@jest/globals';
import { type Actor, Approvals, type DomainError, type Tools } from '@switchboard/contracts';
import {
  MessagingTimeoutError,
  type NatsBus,
  NoRespondersError,
  RemoteError,
} from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import { randomUUID } from 'node:crypto';
import type { RegisteredTool } from '../registry/tool-registry.service.js';
import type { ApprovalPoliciesService } from './approval-policies.service.js';
import { CallApprovalChecker } from './call-approval.checker.js';

const POLICY = Approvals.ApprovalPolicy.parse({});
const TASK = randomUUID();
const APPROVAL = randomUUID();
const INPUT = { title: 'memo', content: 'ship it' };
const notesAdd = { definition: { name: 'notes.add' } } as unknown as RegisteredTool;
/** A caller of the default tenant (an actor naming no tenant). */
const alice: Actor = { userId: 'alice', role: 'user' };

type Answer = { decidedBy: string } | Error;

/** The checker over a policy and an orchestrator the test scripts, and what the orchestrator was asked. */
function setup(
  opts: {
    policy?: Approvals.ApprovalPolicy;
    answer?: Answer;
    /** The policy of each tenant, when they differ (else `policy` in all). */
    byTenant?: Record<string, Approvals.ApprovalPolicy | undefined>;
  } = {},
) {
  const asked: unknown[] = [];
  const bus = {
    request: async (contract: { subject: string }, payload: { approvalId: string }) => {
      expect(contract.subject).toBe(Approvals.ApprovalVerify.subject);
      asked.push(payload);
      const answer = opts.answer ?? { decidedBy: 'bob' };
      if (answer instanceof Error) throw answer;
      return { approvalId: payload.approvalId, ...answer };
    },
  } as unknown as NatsBus;
  const policies = {
    effectiveOf: async (_tool: RegisteredTool, tenantId: string) =>
      opts.byTenant ? opts.byTenant[tenantId] : 'policy' in opts ? opts.policy : POLICY,
  } as unknown as ApprovalPoliciesService;
  return { sut: new CallApprovalChecker(bus, policies), asked };
}

const call = (extra: Partial<Tools.ToolCallRequest> = {}): Tools.ToolCallRequest => ({
  tool: 'notes.add',
  input: INPUT,
  taskId: TASK,
  approval: { id: APPROVAL, argsHash: approvalArgsHash('notes.add', INPUT) },
  ...extra,
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as DomainError,
  );

describe(CallApprovalChecker.name, () => {
  it('lets a tool without a policy run without asking anyone', async () => {
    const { sut, asked } = setup({ policy: undefined });
    await expect(sut.assertApproved(notesAdd, call({ approval: undefined }), alice)).resolves.toBe(
      undefined,
    );
    expect(asked).toEqual([]);
  });

  it("applies the policy of the caller's tenant: another tenant's override is not this one's", async () => {
    const { sut, asked } = setup({ byTenant: { acme: POLICY, default: undefined } });
    const unapproved = call({ approval: undefined });
    await expect(sut.assertApproved(notesAdd, unapproved, alice)).resolves.toBeUndefined();
    const e = await refusal(sut.assertApproved(notesAdd, unapproved, { tenantId: 'acme' }));
    expect(e).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'approval-missing' } });
    expect(asked).toEqual([]);
  });

  it('runs a call the orchestrator confirms for exactly this task, tool and arguments', async () => {
    const { sut, asked } = setup();
    await expect(sut.assertApproved(notesAdd, call(), alice)).resolves.toEqual({
      approvalId: APPROVAL,
      decidedBy: 'bob',
    });
    expect(asked).toEqual([
      {
        approvalId: APPROVAL,
        taskId: TASK,
        target: 'notes.add',
        argsHash: approvalArgsHash('notes.add', INPUT),
      },
    ]);
  });

  it('refuses a call without an approval, without asking the orchestrator', async () => {
    const { sut, asked } = setup();
    const e = await refusal(sut.assertApproved(notesAdd, call({ approval: undefined }), alice));
    expect(e).toMatchObject({
      code: 'FORBIDDEN',
      details: {
        tool: 'notes.add',
        taskId: TASK,
        reason: 'approval-missing',
        refusal: 'not-permitted',
      },
    });
    expect(asked).toEqual([]);
  });

  it('refuses a call of no task, saying it runs only inside a task where it can be approved', async () => {
    const { sut } = setup();
    const e = await refusal(sut.assertApproved(notesAdd, call({ taskId: undefined }), alice));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.details).toMatchObject({ reason: 'approval-outside-task' });
    expect(e.message).toContain("needs a person's approval");
    expect(e.message).toContain('POST /orchestrate');
    expect(e.message).toContain('POST /tasks/{id}/approvals/{approvalId}');
  });

  it('refuses arguments other than the approved ones (the hash is computed here, not trusted)', async () => {
    const { sut, asked } = setup();
    const changed = call({ input: { ...INPUT, content: 'delete everything' } });
    const e = await refusal(sut.assertApproved(notesAdd, changed, alice));
    expect(e).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'approval-mismatch' } });
    // Another tool's hash of the same arguments does not do either.
    const otherTool = call({
      approval: { id: APPROVAL, argsHash: approvalArgsHash('notes.get', INPUT) },
    });
    await expect(refusal(sut.assertApproved(notesAdd, otherTool, alice))).resolves.toMatchObject({
      details: { reason: 'approval-mismatch' },
    });
    expect(asked).toEqual([]);
  });

  it.each([
    ['FORBIDDEN', 'approval was rejected'],
    ['NOT_FOUND', 'no such approval'],
  ] as const)('refuses when the orchestrator answers %s', async (code, message) => {
    const { sut } = setup({
      answer: new RemoteError('orchestrator', { code, message, retryable: false }),
    });
    const e = await refusal(sut.assertApproved(notesAdd, call(), alice));
    expect(e).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'approval-not-confirmed' } });
    expect(e.message).toContain(message);
  });

  it.each([
    ['no responders', new NoRespondersError(Approvals.ApprovalVerify.subject, 'orchestrator')],
    ['no reply in time', new MessagingTimeoutError(Approvals.ApprovalVerify.subject, 5_000)],
  ])(
    'does not run the call when the orchestrator cannot be asked (%s): retryable',
    async (_, e) => {
      const { sut } = setup({ answer: e });
      await expect(refusal(sut.assertApproved(notesAdd, call(), alice))).resolves.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
      });
    },
  );
});

describe(`${CallApprovalChecker.name}: answers to an MCP server's question`, () => {
  const deploy = {
    definition: {
      name: 'modern__deploy',
      handler: { kind: 'mcp', server: 'modern', tool: 'deploy' },
    },
  } as unknown as RegisteredTool;
  const ANSWER_INPUT = { responses: { confirm: { confirm: true } }, requestState: 's' };
  const answered = (extra: Partial<Tools.ToolCallAnswer> = {}): Tools.ToolCallRequest => ({
    tool: 'modern__deploy',
    input: { env: 'staging' },
    taskId: TASK,
    answer: {
      approvalId: APPROVAL,
      argsHash: approvalArgsHash('modern__deploy', ANSWER_INPUT),
      input: ANSWER_INPUT,
      requestState: 's',
      ...extra,
    },
  });

  it('needs nothing of a call without an answer', async () => {
    const { sut, asked } = setup();
    await expect(sut.assertAnswered(deploy, call({ answer: undefined }))).resolves.toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('lets an answer through once the orchestrator confirms a person approved exactly it', async () => {
    const { sut, asked } = setup({ answer: { decidedBy: 'ann' } });
    await expect(sut.assertAnswered(deploy, answered())).resolves.toEqual({
      approvalId: APPROVAL,
      decidedBy: 'ann',
    });
    expect(asked).toEqual([
      {
        approvalId: APPROVAL,
        taskId: TASK,
        target: 'modern__deploy',
        argsHash: approvalArgsHash('modern__deploy', ANSWER_INPUT),
      },
    ]);
  });

  it('refuses an answer other than the one approved, before asking anyone', async () => {
    const { sut, asked } = setup();
    const e = await refusal(
      sut.assertAnswered(
        deploy,
        answered({ input: { responses: { confirm: { confirm: false } } } }),
      ),
    );
    expect(e.code).toBe('FORBIDDEN');
    expect(e.details?.['reason']).toBe('approval-mismatch');
    expect(asked).toEqual([]);
  });

  it('refuses an answer for a tool of no MCP server, or outside a task', async () => {
    const { sut } = setup();
    const notMcp = await refusal(
      sut.assertAnswered(
        {
          definition: { name: 'notes.add', handler: { kind: 'builtin', ref: 'notes.add' } },
        } as never,
        { ...answered(), tool: 'notes.add' },
      ),
    );
    expect(notMcp.details?.['reason']).toBe('answer-not-applicable');
    const noTask = await refusal(sut.assertAnswered(deploy, { ...answered(), taskId: undefined }));
    expect(noTask.details?.['reason']).toBe('answer-not-applicable');
  });

  it('refuses an answer whose approval the orchestrator does not confirm', async () => {
    const { sut } = setup({
      answer: new RemoteError('orchestrator', {
        code: 'FORBIDDEN',
        message: 'approval was rejected',
        retryable: false,
      }),
    });
    const e = await refusal(sut.assertAnswered(deploy, answered()));
    expect(e.details?.['reason']).toBe('approval-not-confirmed');
  });
});
