import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  Approvals,
  DomainError,
  type ErrorBody,
  Tasks,
  tenantOf,
  Tools,
} from '@switchboard/contracts';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { approvalArgsHash } from '@switchboard/runtime';
import {
  AGENT_DIRECTORY,
  type AgentDirectory,
  type CallApproval,
  type CallGate,
  type CallVerdict,
  type HeldCall,
  type TaskRunView,
} from '../tasks/index.js';
import { taskRefOf } from '../tenancy/tenant-scope.js';
import { ApprovalMetrics } from './approval.metrics.js';
import { ApprovalRepository, type StoredApproval } from './approval.repository.js';

/** What an agent is told when a person approves its question without writing a reply. */
export const DEFAULT_REPLY = 'approved';

/** Between a delegation's step id and the number of the agent's question, in an approval's step id. */
const QUESTION_MARK = '#input-';

/**
 * Which calls need a person's decision and what was decided (docs/approvals.md). A tool's policy comes
 * from mcp-tools with the manifest, an agent's from a2a with the agent list; a request can add tools
 * and agents (`approval.tools`), never drop one. An agent that asks for input is asked about too.
 * Approvals are read once per run: a run only meets decisions made before it started. The task core's
 * dispatcher reaches it through the CallGate port.
 */
@Injectable()
export class ApprovalGate implements CallGate {
  private readonly decisions = new WeakMap<TaskRunView, Promise<Map<string, StoredApproval>>>();
  private readonly agentPolicies = new WeakMap<
    TaskRunView,
    Map<string, Approvals.ApprovalPolicy>
  >();

  constructor(
    private readonly repository: ApprovalRepository,
    private readonly audit: AuditTrail,
    private readonly metrics: ApprovalMetrics,
    // Tells surfaces that go and ask people (the XMPP bridge); optional so unit tests need no bus.
    @Optional() private readonly bus?: NatsBus,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
    // The agents' approval policies (A2A_AGENTS); optional so unit tests of tools need no directory.
    @Optional() @Inject(AGENT_DIRECTORY) private readonly agents?: AgentDirectory,
  ) {}

  /**
   * The policy a call of `action` runs under, if it needs approval: a tool's from the manifest, an
   * agent's from the agent directory (read by `check` when the run first meets an agent), or the
   * request's `approval.tools`.
   */
  policyOf(run: TaskRunView, action: Tasks.PlanAction): Approvals.ApprovalPolicy | undefined {
    const offered =
      action.kind === 'tool'
        ? run.offered?.get(action.target)?.approval
        : this.agentPolicies.get(run)?.get(action.target);
    if (offered) return offered;
    const asked = run.submission.request.approval?.tools.includes(action.target);
    return asked ? Approvals.REQUESTED_APPROVAL_POLICY : undefined;
  }

  /**
   * What to do with `action` (its arguments resolved: `input`). A delegation whose agent asked for
   * input (`askAgent`) goes on only once a person answered: then it runs again as the reply on the
   * agent's task (`approval.answer`).
   */
  async check(
    run: TaskRunView,
    action: Tasks.PlanAction,
    input?: Record<string, unknown>,
  ): Promise<CallVerdict> {
    if (action.kind === 'agent') await this.loadAgentPolicies(run);
    const policy = this.policyOf(run, action);
    // Without a policy only a question (an agent's, a tool's server's) of a resumed run can be asked.
    if (!policy && !run.resumed) return { kind: 'free' };
    const approvals = await this.approvalsOf(run);
    const stored = approvals.get(action.id);
    const call: CallVerdict = !policy
      ? { kind: 'free' }
      : stored
        ? this.decided(run, stored)
        : { kind: 'ask', policy };
    if (call.kind !== 'free' && call.kind !== 'run') return call;
    const question = lastQuestion(approvals, action.id);
    if (!question) return call;
    const answered = this.decided(run, question);
    if (answered.kind !== 'run' || !answered.approval) return answered;
    if (action.kind === 'tool')
      return {
        kind: 'run',
        input: call.kind === 'run' ? call.input : (input ?? action.input),
        ...(call.kind === 'run' && call.approval ? { approval: call.approval } : {}),
        answer: toolAnswerOf(question, answered.input, answered.approval),
      };
    const reply = answered.input['reply'];
    // The agent's task is the one it asked on, whatever an edit says.
    const remoteTaskId = question.view.input['remoteTaskId'];
    if (typeof reply !== 'string' || reply.trim() === '' || typeof remoteTaskId !== 'string')
      return {
        kind: 'refused',
        error: new DomainError(
          'VALIDATION',
          `the answer to ${action.target}'s question needs input.reply (a non-empty string)`,
        ).toBody(),
      };
    return {
      kind: 'run',
      input: call.kind === 'run' ? call.input : (input ?? action.input),
      approval: { ...answered.approval, answer: { reply, remoteTaskId } },
    };
  }

  /**
   * The agent of a delegation asked for input (its task is INPUT_REQUIRED): a pending approval of the
   * calling task, on the same path as any call that waits (`hold`), whose reason is the agent's
   * question and whose input is the reply on the agent's task (`{remoteTaskId, reply}`; an approver
   * may edit it, or send `{reply}` alone). Kept apart from the delegation's own approval by its step
   * id, `<stepId>#input-<n>`.
   */
  async askAgent(
    run: TaskRunView,
    action: Tasks.PlanAction,
    asked: { question: string; remoteTaskId: string },
  ): Promise<void> {
    await this.loadAgentPolicies(run);
    const earlier = [...(await this.approvalsOf(run)).keys()].filter((id) =>
      id.startsWith(`${action.id}${QUESTION_MARK}`),
    ).length;
    const id = `${action.id}${QUESTION_MARK}${earlier + 1}`;
    const text = asked.question.trim() || `${action.target} asks for input`;
    await this.hold(run, [
      {
        action: {
          ...action,
          id,
          description: text.slice(0, Tasks.PLAN_DESCRIPTION_MAX),
        },
        input: { remoteTaskId: asked.remoteTaskId, reply: DEFAULT_REPLY },
        policy: this.policyOf(run, action) ?? Approvals.REQUESTED_APPROVAL_POLICY,
      },
    ]);
  }

  /**
   * The tool's external MCP server asked a question (`input_required`): a pending approval of the
   * task, on the same path as any call that waits (`hold`), whose reason is the server's question and
   * whose input is the proposed answer (an approver may edit it within the server's form), kept apart
   * from the call's own approval by its step id, `<stepId>#input-<n>`. The tool's policy says who
   * decides; without one, the requester (as a request's `approval.tools`).
   */
  async askTool(
    run: TaskRunView,
    action: Tasks.PlanAction,
    asked: Tools.ToolInputRequired,
  ): Promise<void> {
    const earlier = [...(await this.approvalsOf(run)).keys()].filter((id) =>
      id.startsWith(`${action.id}${QUESTION_MARK}`),
    ).length;
    const text = asked.question.trim() || `${action.target} asks for input`;
    await this.hold(run, [
      {
        action: {
          ...action,
          id: `${action.id}${QUESTION_MARK}${earlier + 1}`,
          description: text.slice(0, Tasks.PLAN_DESCRIPTION_MAX),
        },
        input: asked.input,
        policy: this.policyOf(run, action) ?? Approvals.REQUESTED_APPROVAL_POLICY,
        inputSchema: asked.inputSchema,
      },
    ]);
  }

  /** What a stored decision means for the call (announced once the run meets it). */
  private decided(run: TaskRunView, stored: StoredApproval): CallVerdict {
    const { view } = stored;
    switch (view.status) {
      case 'pending':
        return { kind: 'wait' };
      case 'approved':
        this.announce(run, view);
        return {
          kind: 'run',
          input: stored.runInput,
          approval: { id: view.approvalId, argsHash: stored.approvedHash ?? view.argsHash },
        };
      case 'expired':
        this.announce(run, view);
        if (view.policy.onExpiry === 'fail')
          throw new DomainError(
            'TIMEOUT',
            `nobody decided the call of ${view.target} before its approval expired at ${view.expiresAt}`,
          );
        return { kind: 'refused', error: refusal(view) };
      default:
        this.announce(run, view);
        return { kind: 'refused', error: refusal(view) };
    }
  }

  /** Records the round's calls that need a decision as pending approvals and says so. */
  async hold(run: TaskRunView, calls: HeldCall[]): Promise<void> {
    const { taskId, actor } = run.submission;
    const held = await this.repository.request(
      calls.map((c) => ({
        taskId,
        tenantId: tenantOf(actor),
        action: c.action,
        input: c.input,
        argsHash: approvalArgsHash(c.action.target, c.input),
        policy: c.policy,
        inputSchema: c.inputSchema ?? run.offered?.get(c.action.target)?.inputSchema,
        requestedBy: actor.userId,
      })),
    );
    for (const { view } of held) {
      if (view.status !== 'pending') continue;
      run.events.emit(
        'orchestrator.approval.requested',
        {
          approvalId: view.approvalId,
          stepId: view.stepId,
          kind: view.kind,
          target: view.target,
          input: view.input,
          argsHash: view.argsHash,
          reason: view.reason,
          expiresAt: view.expiresAt,
        },
        `waiting for approval of ${view.kind} ${view.target}`,
      );
      this.metrics.requested.inc({ target: view.target });
      void this.audit.record({
        category: 'approval',
        action: 'approval.requested',
        outcome: 'success',
        resource: view.approvalId,
        taskId,
        actor: { userId: actor.userId, role: actor.role },
        onceKey: `approval:${view.approvalId}:requested`,
        details: {
          approvalId: view.approvalId,
          stepId: view.stepId,
          target: view.target,
          argsHash: view.argsHash,
          expiresAt: view.expiresAt,
          policy: view.policy,
        },
      });
      try {
        this.bus?.publish(Approvals.ApprovalRequested, [], Approvals.approvalRequestedOf(view));
      } catch (err) {
        // At most once: the approval is stored and listed; only the XMPP notice is lost.
        this.logger?.warn({ err, approvalId: view.approvalId }, 'could not announce the approval');
      }
    }
  }

  /**
   * The approval policies of the agents the task's user may use, read once per run. A directory that
   * cannot be read leaves them unknown: a2a still refuses a delegation that needs an approval.
   */
  private async loadAgentPolicies(run: TaskRunView): Promise<void> {
    if (!this.agents || this.agentPolicies.has(run)) return;
    const { agents } = await this.agents.list(run.submission.actor, run.retry);
    const policies = new Map<string, Approvals.ApprovalPolicy>();
    for (const a of agents) if (a.approval) policies.set(a.name, a.approval);
    this.agentPolicies.set(run, policies);
  }

  private approvalsOf(run: TaskRunView): Promise<Map<string, StoredApproval>> {
    let found = this.decisions.get(run);
    if (!found) {
      // A new task has none; one resumed may.
      found = run.resumed
        ? this.repository.ofTask(taskRefOf(run.submission))
        : Promise.resolve(new Map<string, StoredApproval>());
      this.decisions.set(run, found);
    }
    return found;
  }

  private announce(run: TaskRunView, view: Approvals.ApprovalView): void {
    run.events.emit(
      'orchestrator.approval.decided',
      {
        approvalId: view.approvalId,
        stepId: view.stepId,
        target: view.target,
        status: view.status as 'approved' | 'rejected' | 'expired' | 'cancelled',
        ...(view.decidedBy ? { decidedBy: view.decidedBy } : {}),
        edited: view.editedInput !== undefined,
        ...(view.comment ? { comment: view.comment } : {}),
      },
      `${view.target}: ${view.status}${view.decidedBy ? ` by ${view.decidedBy}` : ''}`,
    );
  }
}

/**
 * The answer to a tool's server's question as mcp-tools gets it: the approved (maybe edited) answer
 * under its approval, with what the server needs back (its `requestState`, its task): from the
 * approved input, or — an edit that left them out — from the question as asked. The server checks
 * its state itself (it comes back through a client, so the spec has servers treat it as untrusted).
 */
function toolAnswerOf(
  question: StoredApproval,
  input: Record<string, unknown>,
  approval: CallApproval,
): Tools.ToolCallAnswer {
  const edited = Tools.ToolQuestionInput.partial().safeParse(input);
  const asked = Tools.ToolQuestionInput.partial().safeParse(question.view.input);
  const pick = <K extends 'requestState' | 'upstreamTaskId'>(key: K) =>
    (edited.success ? edited.data[key] : undefined) ??
    (asked.success ? asked.data[key] : undefined);
  const requestState = pick('requestState');
  const upstreamTaskId = pick('upstreamTaskId');
  return {
    approvalId: approval.id,
    argsHash: approval.argsHash,
    input,
    ...(requestState !== undefined ? { requestState } : {}),
    ...(upstreamTaskId !== undefined ? { upstreamTaskId } : {}),
  };
}

/** The approval of the agent's latest question on the delegation `actionId`, if it asked one. */
function lastQuestion(
  approvals: ReadonlyMap<string, StoredApproval>,
  actionId: string,
): StoredApproval | undefined {
  let last: StoredApproval | undefined;
  let n = 0;
  for (const [id, stored] of approvals) {
    if (!id.startsWith(`${actionId}${QUESTION_MARK}`)) continue;
    const k = Number(id.slice(actionId.length + QUESTION_MARK.length));
    if (k > n) [n, last] = [k, stored];
  }
  return last;
}

function refusal(view: Approvals.ApprovalView): ErrorBody {
  const message =
    view.status === 'expired'
      ? `the call of ${view.target} was not approved: nobody decided before ${view.expiresAt}`
      : view.status === 'cancelled'
        ? `the call of ${view.target} was not run: its approval was cancelled`
        : `the call of ${view.target} was rejected by ${view.decidedBy ?? 'an approver'}${view.comment ? `: ${view.comment}` : ''}`;
  return new DomainError('FORBIDDEN', message).toBody();
}
