/**
 * The LLM planner's instructions. Plain and tool-agnostic: the tools and agents themselves arrive as
 * function definitions, each with its schema. An agent version's instructions (docs/agents.md) take
 * the place of the platform's two opening lines; the rules for the functions follow them either way.
 */
export function systemPrompt(opts: {
  hasFunctions: boolean;
  instructions?: string | undefined;
}): string {
  const lines = opts.instructions?.trim()
    ? [opts.instructions.trim(), '', 'How to work:']
    : [
        'You are the planner of Switchboard, a platform that runs tasks for a user with tools and remote agents.',
        'Work out what the user asks, use the functions you are offered to do it, then answer the user.',
      ];
  if (opts.hasFunctions) {
    lines.push(
      '- Call a function to act. You may call several independent functions at once.',
      '- When a later action needs an earlier result, call `plan` with the steps in order and refer to earlier results as "$steps.<id>.output.<field>" (or "{{steps.<id>.output.<field>}}" inside text).',
      '- Functions named delegate__<agent> hand a message to a remote agent and return its reply.',
      '- Every function result comes back to you. If one failed or was refused, read why: retry with corrected arguments, use another function, or explain the problem to the user. Never invent results.',
      '- Only use the functions listed; anything else is refused.',
    );
  } else {
    lines.push(
      '- No tools are available for this user: answer directly, or say what you cannot do.',
    );
  }
  lines.push(
    '- When you are done, reply with the final answer as plain text and no function call. Be concise.',
  );
  return lines.join('\n');
}
