import { z } from 'zod';
import { StorableJsonObject } from '../text.schemas.js';

/** How long a server's opaque `requestState` may be (it travels in an approval's input). */
const REQUEST_STATE_MAX = 65_536;

/**
 * A tool of an external MCP server (revision 2026-07-28) asked for input before it could finish: its
 * `tools/call` answered `input_required` (an elicitation), or its MCP task waits for input. The error
 * answering `sb.cmd.tools.call` is FORBIDDEN with `details.reason: "input-required"` and this under
 * `details.inputRequired`; inside a task the orchestrator asks a person (an approval of the task whose
 * `input` is this `input` and whose reason is `question`) and calls again with the answer
 * (`ToolCallRequest.answer`). docs/mcp.md#questions-of-external-servers-input_required.
 */
export const ToolInputRequired = z.object({
  /** What the server asks (its elicitation's message), for the approver. */
  question: z.string().max(4_000),
  /**
   * The approval's input: `responses` (the proposed answer per request key, an approver may edit it)
   * plus what the call again needs and no person decides (`requestState`, `upstreamTaskId`).
   */
  input: StorableJsonObject,
  /** The schema an approver's edit of `input` must match (built from the requested schemas). */
  inputSchema: z.record(z.string(), z.unknown()).optional(),
});
export type ToolInputRequired = z.infer<typeof ToolInputRequired>;

/** What an approval of a server's question holds as its input (`ToolInputRequired.input`). */
export const ToolQuestionInput = z.object({
  responses: z.record(z.string(), z.record(z.string(), z.unknown())),
  requestState: z.string().max(REQUEST_STATE_MAX).optional(),
  upstreamTaskId: z.string().min(1).max(256).optional(),
});
export type ToolQuestionInput = z.infer<typeof ToolQuestionInput>;

/**
 * The person's answer to a server's question, as the orchestrator sends it with the call again: the
 * decided approval (`approvalId`, and `argsHash` of the tool and `input`, the approved — maybe edited —
 * answer), which mcp-tools checks with the orchestrator before it answers the server; and, from the
 * question as the server asked it, what no approver edits.
 */
export const ToolCallAnswer = z
  .object({
    approvalId: z.string().uuid(),
    argsHash: z.string(),
    input: StorableJsonObject,
    requestState: z.string().max(REQUEST_STATE_MAX).optional(),
    upstreamTaskId: z.string().min(1).max(256).optional(),
  })
  .strict();
export type ToolCallAnswer = z.infer<typeof ToolCallAnswer>;

/** The question an error's details carry, if the tool asked one (`details.inputRequired`). */
export function toolInputRequiredOf(
  details: Record<string, unknown> | undefined,
): ToolInputRequired | undefined {
  if (details?.['reason'] !== 'input-required') return undefined;
  const parsed = ToolInputRequired.safeParse(details['inputRequired']);
  return parsed.success ? parsed.data : undefined;
}
