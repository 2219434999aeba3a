import { DomainError, ErrorCode, Tasks, Tools, validationError } from '@switchboard/contracts';
import { builtinHelp, ENABLE_LLM } from './builtin-help.js';
import { factsOf, type RecalledFact, withRecalledFacts } from './builtin-memory.js';
import { describeSearch, searchClause } from './builtin-search.js';
import {
  AGENTS_NOT_LISTED,
  AgentsUnavailable,
  type KnownAgent,
  type ObservedStep,
  type PlanDecision,
  type Planner,
  type PlanningState,
} from './planner.js';

/**
 * The deterministic planner used when no LLM is configured. It is not a language model and never
 * claims to be: it recognises a documented set of request shapes (docs/planner.md) and chains them
 * with "then". Later clauses may refer to the previous result ("save the result as a note").
 */
export class BuiltinPlanner implements Planner {
  readonly kind = 'builtin' as const;

  async next(state: PlanningState): Promise<PlanDecision> {
    const failed = state.steps.find((s) => s.status === 'failed');
    if (failed) {
      const error = failed.error ?? { code: 'INTERNAL', message: 'step failed' };
      return {
        kind: 'fail',
        error: new DomainError(
          asCode(error.code),
          `step ${failed.action.id} (${failed.action.target}) failed: ${error.message}`,
          // A temporary failure (a service away) stays retryable for the task's caller.
          { retryable: error.retryable ?? false },
        ),
      };
    }
    if (state.steps.length === 0) {
      try {
        return {
          kind: 'actions',
          actions: planTask(
            state.task,
            state.tools,
            state.agents,
            state.agentsUnavailable,
            state.recalled,
          ),
        };
      } catch (e) {
        return { kind: 'fail', error: e as DomainError };
      }
    }
    return {
      kind: 'final',
      answer: summarize(state.steps),
      output: { steps: state.steps.map((s) => ({ target: s.action.target, output: s.output })) },
    };
  }
}

const CLAUSE_SPLIT = /\s*(?:[,;.]\s*)?\b(?:and\s+)?then\b\s*/i;
const MATH_WORDS = new Set([...Tools.CALCULATOR_FUNCTIONS, ...Tools.CALCULATOR_CONSTANTS]);

/**
 * Splits a task into clauses and maps each to an action, checked against the PlanAction contract (the
 * plan is stored and streamed: an action that breaks it would fail later, where it hangs a stream).
 * Throws UNSUPPORTED / FORBIDDEN / VALIDATION.
 */
export function planTask(
  task: string,
  tools: Tools.ManifestTool[],
  agents: KnownAgent[],
  agentsUnavailable?: string,
  recalled: readonly RecalledFact[] = [],
): Tasks.PlanAction[] {
  const facts = factsOf(recalled);
  const offered = new Set(tools.map((t) => t.name));
  const clauses = task.split(CLAUSE_SPLIT).map((c) =>
    c
      .trim()
      .replace(/[?.!]+$/, '')
      .trim(),
  );
  // An empty clause is a "then" with nothing before or after it: refused, not silently skipped, as
  // the user meant something there.
  const empty = clauses.findIndex((c) => c === '');
  if (empty >= 0 && clauses.length > 1) {
    throw new DomainError(
      'VALIDATION',
      `part ${empty + 1} of ${clauses.length} of the task is empty: every "then" must join two requests`,
    );
  }
  const actions: Tasks.PlanAction[] = [];
  for (const clause of clauses.filter(Boolean)) {
    const id = `s${actions.length + 1}`;
    const prev = actions[actions.length - 1];
    // "remember that my …" stores the words as said; any other clause uses what was recalled.
    const remembered = offered.has('memory.remember') ? rememberClause(clause, id) : undefined;
    const action =
      remembered ??
      searchClause(clause, id, offered) ??
      planClause(withRecalledFacts(clause, facts), id, prev, agents, agentsUnavailable);
    if (!action) {
      // The help names the agents too: read them first.
      if (agentsUnavailable === AGENTS_NOT_LISTED)
        throw new AgentsUnavailable('', AGENTS_NOT_LISTED);
      throw new DomainError(
        'UNSUPPORTED',
        `The built-in planner (no LLM is configured) does not understand "${clause}". ${builtinHelp(tools, agents)} ${ENABLE_LLM}`,
      );
    }
    const checked = Tasks.PlanAction.safeParse(action);
    if (!checked.success) throw validationError(`action ${id} of the plan`, checked.error);
    // An explicit call goes to mcp-tools as asked, which refuses it if unknown or not permitted; an
    // inferred one must be among the tools this user was offered.
    const explicit = action.description.startsWith('call ');
    if (action.kind === 'tool' && !explicit && !tools.some((t) => t.name === action.target)) {
      throw new DomainError(
        'FORBIDDEN',
        `tool ${action.target} is not available to you (not offered to this task: your role or the task's tool constraints exclude it, or this stack does not run it)`,
      );
    }
    actions.push(action);
  }
  if (actions.length === 0) {
    if (agentsUnavailable === AGENTS_NOT_LISTED) throw new AgentsUnavailable('', AGENTS_NOT_LISTED);
    throw new DomainError('UNSUPPORTED', `The task is empty. ${builtinHelp(tools, agents)}`);
  }
  return actions;
}

/** "remember (that) …" as a write to the user's long-term memory (docs/memory.md). */
function rememberClause(clause: string, id: string): Tasks.PlanAction | undefined {
  const fact = /^(?:please\s+)?remember\s+(?:that\s+)?(.+)$/i.exec(clause);
  if (!fact) return undefined;
  return {
    id,
    kind: 'tool',
    target: 'memory.remember',
    input: { content: unquote(fact[1] as string) },
    description: 'remember it (long-term memory)',
  };
}

/** A description within the contract's limit (the full text stays in the action's input). */
function described(text: string): string {
  const max = Tasks.PLAN_DESCRIPTION_MAX;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The reference to a previous action's natural result, as a template. */
function resultRef(prev: Tasks.PlanAction): string {
  const path =
    prev.kind === 'agent'
      ? 'output.text'
      : prev.target === 'calculator'
        ? 'output.result'
        : prev.target === 'notes.add' || prev.target === 'notes.get'
          ? 'output.content'
          : 'output';
  return `{{steps.${prev.id}.${path}}}`;
}

// eslint-disable-next-line max-lines-per-function -- one sequence read top to bottom; to be split (docs/architecture.md, Long functions)
function planClause(
  clause: string,
  id: string,
  prev: Tasks.PlanAction | undefined,
  agents: KnownAgent[],
  agentsUnavailable?: string,
): Tasks.PlanAction | undefined {
  const tool = (
    target: string,
    input: Record<string, unknown>,
    description: string,
  ): Tasks.PlanAction => ({
    id,
    kind: 'tool',
    target,
    input,
    description: described(description),
  });

  // Explicit tool call: "call notes.get with {"id": "…"}".
  const explicit =
    /^(?:call|use|run)\s+(?:the\s+)?(?:tool\s+)?([A-Za-z0-9_.-]+)\s+(?:tool\s+)?with\s+(\{[\s\S]*\})$/i.exec(
      clause,
    );
  if (explicit) {
    let input: unknown;
    try {
      input = JSON.parse(explicit[2] as string);
    } catch {
      throw new DomainError(
        'VALIDATION',
        `the input of ${explicit[1]} is not valid JSON: ${explicit[2]}`,
      );
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      throw new DomainError('VALIDATION', `the input of ${explicit[1]} must be a JSON object`);
    }
    return tool(explicit[1] as string, input as Record<string, unknown>, `call ${explicit[1]}`);
  }

  // Arithmetic: "what is 17 * 23", "calculate (2+3)^2", or a bare expression.
  const arithmetic =
    /^(?:what(?:'s|\s+is)|calculate|compute|evaluate|how\s+much\s+is|solve)\s+(.+)$/i.exec(clause);
  const expression = normalizeExpression(arithmetic ? (arithmetic[1] as string) : clause);
  if (expression) return tool('calculator', { expression }, `calculate ${expression}`);

  // Notes.
  if (/^(?:list|show)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:my|the)\s+notes$/i.test(clause)) {
    return tool('notes.list', {}, 'list notes');
  }
  const getById =
    /^(?:get|show|read|open|fetch)\s+(?:me\s+)?(?:the\s+|my\s+)?note\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(
      clause,
    );
  if (getById) return tool('notes.get', { id: getById[1] }, 'read a note');
  if (
    prev?.target === 'notes.add' &&
    /^(?:get|show|read|open|fetch)\s+(?:it|that|the\s+note|that\s+note)(?:\s+back)?$/i.test(clause)
  ) {
    return tool('notes.get', { id: `{{steps.${prev.id}.output.id}}` }, 'read the note back');
  }
  const noteText =
    /^(?:note|remember)\s+(?:that\s+)?(.+)$/i.exec(clause) ??
    /^(?:save|store|write|add|keep|take|create|make)\s+(?:a\s+|the\s+)?note\s+(?:saying|that\s+says|with(?:\s+the\s+text)?|:)\s*(.+)$/i.exec(
      clause,
    );
  if (noteText && !/\bas\s+a\s+note$/i.test(clause)) {
    return tool('notes.add', { content: unquote(noteText[1] as string) }, 'save a note');
  }
  if (/\bnote\b/i.test(clause) && /^(?:save|store|write|add|keep|put|record)\b/i.test(clause)) {
    if (!prev) {
      throw new DomainError(
        'UNSUPPORTED',
        `"${clause}" refers to a previous result, but nothing comes before it`,
      );
    }
    const title = /\btitled\s+["“']?([^"”']+)["”']?/i.exec(clause)?.[1]?.trim();
    return tool(
      'notes.add',
      { content: resultRef(prev), ...(title ? { title } : {}) },
      'save the previous result as a note',
    );
  }

  // Time.
  const time =
    /^(?:what(?:'s|\s+is)\s+the\s+(?:current\s+)?time|what\s+time\s+is\s+it|(?:the\s+)?current\s+time|time\s+now)(?:\s+in\s+([A-Za-z_]+(?:\/[A-Za-z_+-]+)*))?$/i.exec(
      clause,
    );
  if (time) return tool('time.now', time[1] ? { timezone: time[1] } : {}, 'read the clock');

  // Weather.
  const weather =
    /^(?:what(?:'s|\s+is)\s+the\s+|get\s+the\s+|check\s+the\s+)?weather(?:\s+like)?\s+(?:in|for|at)\s+(.+)$/i.exec(
      clause,
    );
  if (weather)
    return tool(
      'weather.current',
      { location: (weather[1] as string).trim() },
      'look up the weather',
    );

  // Delegation to a known agent: "ask the researcher about X", "have the writer draft Y".
  const delegation =
    /^(?:ask|tell)\s+(?:the\s+)?([a-z][\w-]*)(?:\s+agent)?\s+(?:about|to|for|whether|if)\s+(.+)$/i.exec(
      clause,
    ) ?? /^(?:have|let|get)\s+(?:the\s+)?([a-z][\w-]*)(?:\s+agent)?\s+(.+)$/i.exec(clause);
  if (delegation) {
    const name = (delegation[1] as string).toLowerCase();
    const agent = agents.find((a) => a.name.toLowerCase() === name);
    if (!agent && agentsUnavailable !== undefined)
      throw new AgentsUnavailable(name, agentsUnavailable);
    if (!agent) {
      const known = agents.map((a) => a.name).join(', ') || 'none';
      throw new DomainError(
        'UNSUPPORTED',
        `no agent named "${name}" is known (known agents: ${known})`,
      );
    }
    const message = (delegation[2] as string).trim();
    return {
      id,
      kind: 'agent',
      target: agent.name,
      input: { message, ...(prev ? { context: resultRef(prev) } : {}) },
      description: described(`delegate to ${agent.name}: ${message}`),
    };
  }
  return undefined;
}

/** Returns a calculator expression if `text` is arithmetic, else undefined. */
export function normalizeExpression(text: string): string | undefined {
  const expr = text
    .trim()
    .replace(/(\d)\s*[x×]\s*(?=[\d(])/gi, '$1 * ')
    .replace(/÷/g, '/')
    .replace(/(\d)\s*(?:times|multiplied\s+by)\s*(?=[\d(])/gi, '$1 * ')
    .replace(/(\d)\s*divided\s+by\s*(?=[\d(])/gi, '$1 / ')
    .replace(/(\d)\s*plus\s*(?=[\d(])/gi, '$1 + ')
    .replace(/(\d)\s*minus\s*(?=[\d(])/gi, '$1 - ')
    .replace(/\s+/g, ' ');
  if (!/\d/.test(expr) || !/^[\d\s.+\-*/^%(),a-z]+$/i.test(expr)) return undefined;
  const words = expr.match(/[a-z]+\d*/gi) ?? [];
  if (!words.every((w) => MATH_WORDS.has(w.toLowerCase()))) return undefined;
  if (!/[+\-*/^%(]/.test(expr) && !/^\s*-?\d+(\.\d+)?\s*$/.test(expr)) return undefined;
  return expr;
}

function unquote(s: string): string {
  return s.trim().replace(/^["“']|["”']$/g, '');
}

function summarize(steps: ObservedStep[]): string {
  return steps.map(describe).join(' ');
}

function describe(step: ObservedStep): string {
  const out = (step.output ?? {}) as Record<string, unknown>;
  if (step.action.kind === 'agent')
    return `${step.action.target} replied: ${String(out['text'] ?? JSON.stringify(out))}`;
  switch (step.action.target) {
    case 'calculator':
      return `${String(out['expression'])} = ${String(out['result'])}.`;
    case 'notes.add':
      return `Saved note ${String(out['id'])}: "${String(out['content'])}".`;
    case 'notes.get':
      return `Note ${String(out['id'])}: "${String(out['content'])}".`;
    case 'notes.list': {
      const notes = (out['notes'] as { content: string }[] | undefined) ?? [];
      return `You have ${notes.length} recent note${notes.length === 1 ? '' : 's'}${notes.length ? `: ${notes.map((n) => `"${n.content}"`).join(', ')}` : ''}.`;
    }
    case 'memory.remember':
      return `I will remember that ${String(out['content'])}.`;
    case 'memory.forget':
      return out['deleted'] ? 'Forgotten.' : 'There was nothing to forget.';
    case 'time.now':
      return `It is ${String(out['local'])} (${String(out['timezone'])}).`;
    case Tools.SEARCH_TOOL_NAME:
      return describeSearch(step.output);
    default: {
      const text = JSON.stringify(step.output);
      return `${step.action.target} returned ${text.length > 300 ? `${text.slice(0, 300)}…` : text}.`;
    }
  }
}

function asCode(code: string): ErrorCode {
  const parsed = ErrorCode.safeParse(code);
  return parsed.success ? parsed.data : 'INTERNAL';
}
