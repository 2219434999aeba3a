import type { Approvals, ErrorBody, Tasks, Tools } from '@switchboard/contracts';
import type { TaskRunView } from './task-run.view.js';

/**
 * The decision a call runs under, when it needed one (mcp-tools and a2a check it); for a delegation
 * whose agent asked, the person's reply.
 */
export interface CallApproval {
  id: string;
  argsHash: string;
  /** The reply to the agent's question: the delegation goes on as this message on the agent's task. */
  answer?: { reply: string; remoteTaskId: string };
}

/** What the gate says about one call, in the order the dispatcher meets them. */
export type CallVerdict =
  /** No decision needed: run it as planned. */
  | { kind: 'free' }
  /** Needs one and has none yet: the round stops here and asks (`CallGate.hold`). */
  | { kind: 'ask'; policy: Approvals.ApprovalPolicy }
  /** Asked, not decided yet: the task waits. */
  | { kind: 'wait' }
  /**
   * Allowed: run it with these arguments (the decider's edit, if any) under this decision (when it
   * needed one); for a tool whose MCP server asked a question, with the person's `answer`.
   */
  | {
      kind: 'run';
      input: Record<string, unknown>;
      approval?: CallApproval;
      answer?: Tools.ToolCallAnswer;
    }
  /** Refused (rejected, expired where expiry refuses): the step fails with this, the planner hears it. */
  | { kind: 'refused'; error: ErrorBody };

/** A call of the round that waits for a decision, with its arguments resolved. */
export interface HeldCall {
  action: Tasks.PlanAction;
  input: Record<string, unknown>;
  policy: Approvals.ApprovalPolicy;
  /** What a decider's edit must match; the tool's input schema when not given. */
  inputSchema?: Record<string, unknown> | undefined;
}

/**
 * A port of the task core: the gate every planned call passes before it is dispatched, where a
 * person's decision (an approval, docs/approvals.md) may be needed first. The core asks, per call in
 * plan order, whether it may run (`check`); when it must wait, it holds the round's calls that need a
 * decision (`hold`, after asking `policyOf` for each later call) and pauses the task. A remote agent's
 * or a tool's server's question met during a call becomes a decision to wait for as well (`askAgent`,
 * `askTool`), and the task pauses. The approvals feature plugs in here (app.module binds it); the
 * core imports none of it.
 *
 * A plug-in must: answer `check` from what was decided before the run started (a run meets no newer
 * decision), the same for the same call within a run; announce what it holds (the task's events)
 * before `hold`/`askAgent`/`askTool` resolve, so the pause journals them; and throw (e.g. TIMEOUT)
 * only where the task itself must fail.
 */
export interface CallGate {
  /** What to do with `action`, its arguments resolved (`input`). */
  check(
    run: TaskRunView,
    action: Tasks.PlanAction,
    input?: Record<string, unknown>,
  ): Promise<CallVerdict>;
  /** The policy a call of `action` would wait under, if it needs a decision. */
  policyOf(run: TaskRunView, action: Tasks.PlanAction): Approvals.ApprovalPolicy | undefined;
  /** Records the calls as waiting for a decision and says so on the task's events. */
  hold(run: TaskRunView, calls: HeldCall[]): Promise<void>;
  /** The delegated agent of `action` (its input resolved) asked for input: a decision to wait for. */
  askAgent(
    run: TaskRunView,
    action: Tasks.PlanAction,
    asked: { question: string; remoteTaskId: string },
  ): Promise<void>;
  /** The tool's MCP server asked a question during `action`: a decision to wait for. */
  askTool(
    run: TaskRunView,
    action: Tasks.PlanAction,
    asked: Tools.ToolInputRequired,
  ): Promise<void>;
}

export const CALL_GATE = Symbol('CALL_GATE');
