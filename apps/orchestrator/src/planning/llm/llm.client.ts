/**
 * The orchestrator's view of a chat-completions LLM: OpenAI's wire shapes for messages and tool calls
 * (so a stored conversation is sent back as it was), behind an interface the planner depends on. The
 * one implementation talking HTTP is OpenAiLlmClient; unit tests hand the planner a fake.
 */

export interface LlmToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type LlmMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: LlmToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface LlmFunction {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface LlmRequest {
  model: string;
  messages: LlmMessage[];
  tools: LlmFunction[];
  temperature: number;
  /** Sent as top_p when set (an agent version's parameter). */
  topP?: number;
  maxOutputTokens: number;
  /** For spans and logs only. */
  taskId?: string;
  iteration?: number;
}

export interface LlmCompletion {
  content: string | null;
  toolCalls: LlmToolCall[];
  /** As reported by the server; absent when it reports none. */
  usage?: { promptTokens: number; completionTokens: number };
  model: string;
  finishReason?: string;
}

export interface LlmClient {
  /** One chat completion. Aborting `signal` aborts the HTTP request itself. */
  complete(request: LlmRequest, signal: AbortSignal): Promise<LlmCompletion>;
}

export const LLM_CLIENT = Symbol.for('switchboard.llm-client');
