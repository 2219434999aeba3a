import { Injectable } from '@nestjs/common';
import { DomainError, Tools } from '@switchboard/contracts';
import type { MathJsInstance, MathNode } from 'mathjs';
import type { ToolImplementation } from '../registry/tool-implementation.js';

let loading: Promise<MathJsInstance> | undefined;

/**
 * mathjs with its functions, imported at the first expression: importing it builds every function
 * (about half a second of CPU), which every mcp-tools start paid when it was imported with the tool.
 */
export function calculatorMath(): Promise<MathJsInstance> {
  loading ??= import('mathjs').then(({ all, create }) =>
    create(all as NonNullable<typeof all>, { number: 'number' }),
  );
  return loading;
}

const OPERATORS = new Set([
  'add',
  'subtract',
  'multiply',
  'divide',
  'pow',
  'mod',
  'unaryMinus',
  'unaryPlus',
]);
const FUNCTIONS = Tools.CALCULATOR_FUNCTIONS;
const CONSTANTS = Tools.CALCULATOR_CONSTANTS;

/**
 * Arithmetic without `eval`: the expression is parsed by mathjs into a syntax tree, every node is
 * checked against an allow-list (numbers, + - * / ^ %, parentheses, a few functions, pi and e), and
 * only then evaluated. Anything else (assignments, strings, matrices, unknown symbols) is refused.
 */
export function evaluateExpression(math: MathJsInstance, expression: string): number {
  let root: MathNode;
  try {
    root = math.parse(expression.replace(/×/g, '*').replace(/÷/g, '/'));
  } catch (e) {
    throw new DomainError(
      'VALIDATION',
      `expression: cannot parse "${expression}": ${(e as Error).message}`,
    );
  }
  root.traverse((node, _path, parent) => {
    const n = node as MathNode & { fn?: string | { name: string }; name?: string; value?: unknown };
    switch (node.type) {
      case 'ConstantNode':
        if (typeof n.value !== 'number') throw refuse(`"${String(n.value)}" is not a number`);
        return;
      case 'ParenthesisNode':
        return;
      case 'OperatorNode':
        if (!OPERATORS.has(String(n.fn))) throw refuse(`operator "${String(n.fn)}" is not allowed`);
        return;
      case 'FunctionNode': {
        const fnName = typeof n.fn === 'object' ? n.fn.name : String(n.fn);
        if (!FUNCTIONS.has(fnName)) throw refuse(`function "${fnName}" is not allowed`);
        return;
      }
      case 'SymbolNode':
        // A function's own name is a SymbolNode child of its FunctionNode (checked there); its
        // arguments are children too, and are checked like any other symbol.
        if (parent?.type === 'FunctionNode' && (parent as MathNode & { fn?: unknown }).fn === node)
          return;
        if (!CONSTANTS.has(String(n.name))) throw refuse(`unknown symbol "${String(n.name)}"`);
        return;
      default:
        throw refuse(`${node.type} is not allowed`);
    }
  });
  let value: unknown;
  try {
    value = root.compile().evaluate({});
  } catch (e) {
    // mathjs refusing allowed functions' arguments (e.g. round to 2.5 decimals): the caller's input.
    throw refuse(`"${expression}" cannot be evaluated: ${(e as Error).message}`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DomainError(
      'VALIDATION',
      `expression: "${expression}" does not evaluate to a finite number`,
    );
  }
  return value;
}

function refuse(reason: string): DomainError {
  return new DomainError('VALIDATION', `expression: ${reason}`);
}

@Injectable()
export class CalculatorTool implements ToolImplementation {
  readonly definition = {
    name: 'calculator',
    title: 'Calculator',
    description:
      'Evaluates an arithmetic expression (+ - * / ^ %, parentheses, sqrt, abs, round, min, max, log, pi, e).',
    provider: 'math',
    inputSchema: {
      type: 'object',
      properties: { expression: { type: 'string', minLength: 1, maxLength: 500 } },
      required: ['expression'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: { expression: { type: 'string' }, result: { type: 'number' } },
      required: ['expression', 'result'],
      additionalProperties: false,
    },
    handler: { kind: 'builtin' as const, ref: 'calculator' },
    idempotent: true,
    timeoutMs: 2_000,
  };

  async run(input: Record<string, unknown>): Promise<unknown> {
    const expression = String(input['expression']);
    return { expression, result: evaluateExpression(await calculatorMath(), expression) };
  }
}
