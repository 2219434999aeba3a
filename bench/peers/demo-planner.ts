// What both peers run for the demo task, framework-free: the deterministic planner, the calculator
// (no eval) and the final answer, worded as Switchboard's built-in planner words it. Shared so that the
// frameworks, not this code, are what the bench compares.

/** The plan for "what is <arithmetic>[, then save the result as a note]". */
export interface DemoPlan {
  expression: string;
  saveNote: boolean;
}

export class DemoTaskError extends Error {
  override readonly name = 'DemoTaskError';
}

const SHAPE =
  /^(?:what is|calculate|compute)\s+(.+?)(,?\s*(?:and\s+)?then\s+save the result as a note)?\s*[?.]?$/i;

/** Plans the demo task's shape; anything else is refused with what the planner understands. */
export function planDemoTask(task: string): DemoPlan {
  const match = SHAPE.exec(task.trim());
  if (!match?.[1])
    throw new DemoTaskError(
      'task: this planner understands "what is <arithmetic>[, then save the result as a note]"',
    );
  return { expression: match[1].trim(), saveNote: Boolean(match[2]) };
}

/**
 * + - * / % ^, parentheses, unary signs and decimal numbers, by recursive descent (^ binds tightest
 * and to the right). Throws DemoTaskError naming the position of the first thing it cannot read.
 */
export function evaluateArithmetic(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?|\S/g) ?? [];
  let at = 0;
  const fail = (what: string): never => {
    throw new DemoTaskError(`expression: ${what} in "${expression}"`);
  };
  const peek = () => tokens[at];
  const take = () => tokens[at++];
  const primary = (): number => {
    const token = take();
    if (token === undefined) return fail('unexpected end');
    if (token === '(') {
      const value = sum();
      if (take() !== ')') fail('missing ")"');
      return value;
    }
    if (token === '-') return -power();
    if (token === '+') return power();
    if (/^\d/.test(token)) return Number(token);
    return fail(`unexpected "${token}" (token ${at})`);
  };
  const power = (): number => {
    const base = primary();
    if (peek() !== '^') return base;
    take();
    return base ** power();
  };
  const product = (): number => {
    let value = power();
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      take();
      const right = power();
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      take();
      value = op === '+' ? value + product() : value - product();
    }
    return value;
  };
  const value = sum();
  if (at < tokens.length) fail(`unexpected "${String(peek())}" (token ${at + 1})`);
  if (!Number.isFinite(value)) fail('the result is not a finite number');
  return value;
}

/** The final answer, as Switchboard's built-in planner words it. */
export function demoAnswer(
  plan: DemoPlan,
  result: number,
  note?: { id: string; content: string },
): string {
  const sum = `${plan.expression} = ${result}.`;
  return note ? `${sum} Saved note ${note.id}: "${note.content}".` : sum;
}
