import { DomainError, Tools } from '@switchboard/contracts';
import { z } from 'zod';

/**
 * What an external MCP server (revision 2026-07-28) asks for when a call answers `input_required`, as
 * the question a person answers in Switchboard's approvals (docs/mcp.md). Only form elicitations are
 * carried: a person can fill a form; sampling, roots and URL elicitations have nobody to answer them
 * here, so such a call fails (UNSUPPORTED) naming what was asked.
 */

/** One embedded form elicitation (`inputRequests.<key>`), the fields we use. */
const FormRequest = z.object({
  method: z.literal('elicitation/create'),
  params: z.object({
    mode: z.literal('form').optional(),
    message: z.string().max(4_000),
    requestedSchema: z.record(z.string(), z.unknown()),
  }),
});

/** What the server sent: its requests (by key), its opaque state, and its task when it was one. */
export interface UpstreamQuestion {
  inputRequests?: Record<string, unknown> | undefined;
  requestState?: string | undefined;
  upstreamTaskId?: string | undefined;
}

/** The question as the error answering the call carries it (FORBIDDEN, `reason: input-required`). */
export function questionError(tool: string, server: string, asked: UpstreamQuestion): DomainError {
  const inputRequired = toInputRequired(tool, server, asked);
  return new DomainError(
    'FORBIDDEN',
    `${tool} asks for a person's answer before it goes on (${clip(inputRequired.question, 300)}); it runs on only inside a task, where a person answers it as an approval (docs/mcp.md)`,
    {
      details: {
        tool,
        reason: 'input-required',
        inputRequired,
      },
    },
  );
}

/**
 * The approval's input and schema for the question: each form's proposed answer (its defaults; a
 * yes/no field proposed as yes — approving means agreeing), which the approver may edit within the
 * form's schema.
 */
export function toInputRequired(
  tool: string,
  server: string,
  asked: UpstreamQuestion,
): Tools.ToolInputRequired {
  const entries = Object.entries(asked.inputRequests ?? {});
  const forms: [string, z.infer<typeof FormRequest>][] = [];
  const other: string[] = [];
  for (const [key, raw] of entries) {
    const form = FormRequest.safeParse(raw);
    if (form.success) forms.push([key, form.data]);
    else other.push(`${key} (${methodOf(raw)})`);
  }
  if (other.length > 0 || forms.length === 0)
    throw new DomainError(
      'UNSUPPORTED',
      `${tool}: the MCP server ${server} asks for ${other.length ? other.join(', ') : 'nothing a person can answer'}; only form elicitations can be answered here (by a person, as an approval)`,
      { details: { tool, reason: 'input-required-unsupported' } },
    );
  const responses = Object.fromEntries(
    forms.map(([key, f]) => [key, proposedAnswer(f.params.requestedSchema)]),
  );
  const input: Tools.ToolQuestionInput = {
    responses,
    ...(asked.requestState !== undefined ? { requestState: asked.requestState } : {}),
    ...(asked.upstreamTaskId ? { upstreamTaskId: asked.upstreamTaskId } : {}),
  };
  return {
    question: clip(forms.map(([, f]) => f.params.message).join('\n'), 4_000),
    input,
    inputSchema: {
      type: 'object',
      properties: {
        responses: {
          type: 'object',
          properties: Object.fromEntries(forms.map(([k, f]) => [k, f.params.requestedSchema])),
          required: forms.map(([k]) => k),
        },
      },
      required: ['responses'],
    },
  };
}

/** The approved answer as the server's `inputResponses`: each form accepted with its content. */
export function inputResponsesOf(answer: Tools.ToolCallAnswer): Record<string, unknown> {
  const parsed = Tools.ToolQuestionInput.pick({ responses: true }).safeParse(answer.input);
  if (!parsed.success)
    throw new DomainError(
      'VALIDATION',
      'answer.input.responses: must map each question to its answer',
    );
  return Object.fromEntries(
    Object.entries(parsed.data.responses).map(([key, content]) => [
      key,
      { action: 'accept', content },
    ]),
  );
}

/** A form's proposed answer: each field's default; yes for a yes/no field; a one-choice enum's choice. */
export function proposedAnswer(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = schema['properties'];
  if (!properties || typeof properties !== 'object') return {};
  const answer: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(properties as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') continue;
    const field = raw as Record<string, unknown>;
    const choices = Array.isArray(field['enum']) ? field['enum'] : undefined;
    if (field['default'] !== undefined) answer[name] = field['default'];
    else if (field['type'] === 'boolean') answer[name] = true;
    else if (choices?.length === 1) answer[name] = choices[0];
  }
  return answer;
}

function methodOf(raw: unknown): string {
  const method = (raw as { method?: unknown } | undefined)?.method;
  const mode = (raw as { params?: { mode?: unknown } } | undefined)?.params?.mode;
  const name = typeof method === 'string' ? method.slice(0, 64) : 'an unknown request';
  return typeof mode === 'string' && mode !== 'form' ? `${name}, mode ${mode.slice(0, 16)}` : name;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
