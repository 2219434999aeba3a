/** What one remote agent answered in a task (a delegation step's reply). */
export interface AgentReply {
  agent: string;
  text: string;
}

/** A part of an answer: an agent's reply (labelled by the agent), or the answer's own text. */
export interface AnswerPart {
  agent?: string;
  text: string;
}

/**
 * An answer cut into its parts, so that each delegation's reply is shown on its own. The built-in
 * planner answers with one string, each step's outcome after the other, a reply as "<agent> replied:
 * <text>"; every reply of the timeline found in the answer that way becomes a part labelled by its
 * agent, and the text around them parts of their own. An answer in a model's own words is one part.
 */
export function answerParts(answer: string, replies: readonly AgentReply[]): AnswerPart[] {
  const parts: AnswerPart[] = [];
  let rest = answer;
  for (const reply of replies) {
    const text = reply.text.trim();
    if (!text) continue;
    const labelled = `${reply.agent} replied: ${reply.text}`;
    const at = rest.indexOf(labelled);
    if (at < 0) continue;
    pushText(parts, rest.slice(0, at));
    parts.push({ agent: reply.agent, text });
    rest = rest.slice(at + labelled.length);
  }
  pushText(parts, rest);
  return parts.length > 0 ? parts : [{ text: answer }];
}

function pushText(parts: AnswerPart[], text: string): void {
  const trimmed = text.trim();
  if (trimmed) parts.push({ text: trimmed });
}
