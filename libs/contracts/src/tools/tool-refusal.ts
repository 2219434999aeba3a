import { z } from 'zod';

/**
 * `details.refusal` of an error answering `sb.cmd.tools.call` when the call was refused before its
 * tool ran: `unknown-tool` (no such tool, NOT_FOUND), `not-permitted` (the caller may not use it now:
 * role, admin-only, provider authorization, constraints, or not offered to the task; FORBIDDEN) or
 * `not-configured` (nobody can use it here until a setting or credential is set; UNSUPPORTED,
 * `details.needs` names them). An error without it is the tool's own failure — its input, or what it
 * did — which callers report as the tool's result (an MCP `isError` result, an observation for the
 * planner).
 */
export const ToolRefusal = z.enum(['unknown-tool', 'not-permitted', 'not-configured']);
export type ToolRefusal = z.infer<typeof ToolRefusal>;

/** The refusal an error's details carry, if the call was refused before its tool ran. */
export function toolRefusalOf(
  details: Record<string, unknown> | undefined,
): ToolRefusal | undefined {
  const parsed = ToolRefusal.safeParse(details?.['refusal']);
  return parsed.success ? parsed.data : undefined;
}
