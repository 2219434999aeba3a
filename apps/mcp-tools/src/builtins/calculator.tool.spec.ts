import { DomainError, Tools } from '@switchboard/contracts';
import { SchemaValidator } from '../tools/schema-validator.js';
import type { MathJsInstance } from 'mathjs';
import { CalculatorTool, calculatorMath, evaluateExpression } from './calculator.tool.js';

let math: MathJsInstance;
beforeAll(async () => {
  math = await calculatorMath();
});

function refusal(expression: string): DomainError {
  try {
    evaluateExpression(math, expression);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw new Error(`"${expression}" failed with a ${String(e)}, not the tool's DomainError`, {
      cause: e,
    });
  }
  throw new Error(`"${expression}" was evaluated, not refused`);
}

describe(CalculatorTool.name, () => {
  const sut = new CalculatorTool();

  it.each([
    ['17 * 23', 391],
    ['2 + 3 * 4', 14],
    ['10 - 4 - 3', 3],
    ['2 ^ 3 ^ 2', 512],
    ['(2 + 3) * 4', 20],
    ['((1 + 2) * (3 + 4)) / 7', 3],
    ['7 % 3', 1],
    ['1.5 * 4', 6],
    ['0.1 + 0.2', 0.3],
    ['-5 + 3', -2],
    ['4 * -2', -8],
    ['-3 ^ 2', -9],
    ['(-3) ^ 2', 9],
    ['2 ^ -1', 0.5],
    ['+7', 7],
    ['6 × 7', 42],
    ['84 ÷ 2', 42],
    ['2pi', 2 * Math.PI],
    ['e', Math.E],
  ])('evaluates %s', (expression, expected) => {
    expect(evaluateExpression(math, expression)).toBeCloseTo(expected, 12);
  });

  const functions: [string, string, number][] = [
    ['sqrt', 'sqrt(16)', 4],
    ['abs', 'abs(-7)', 7],
    ['round', 'round(2.5)', 3],
    ['floor', 'floor(2.7)', 2],
    ['ceil', 'ceil(2.1)', 3],
    ['min', 'min(3, 1, 2)', 1],
    ['max', 'max(3, 1, 2)', 3],
    ['log', 'log(8, 2)', 3],
    ['log10', 'log10(1000)', 3],
    ['exp', 'exp(0)', 1],
    ['sin', 'sin(pi / 2)', 1],
    ['cos', 'cos(0)', 1],
    ['tan', 'tan(pi / 4)', 1],
  ];

  it.each(functions)('evaluates the allowed function %s: %s', (_, expression, expected) => {
    expect(evaluateExpression(math, expression)).toBeCloseTo(expected, 12);
  });

  it('exercises every function the contract allows', () => {
    expect(new Set(functions.map(([name]) => name))).toEqual(Tools.CALCULATOR_FUNCTIONS);
  });

  it.each(['1 / 0', '-1 / 0', '0 / 0', '10 ^ 400', 'sqrt(-1)'])(
    'refuses %s, which has no finite result',
    (expression) => {
      const e = refusal(expression);
      expect(e.code).toBe('VALIDATION');
      expect(e.message).toBe(`expression: "${expression}" does not evaluate to a finite number`);
    },
  );

  it.each([
    ['x = 1', 'AssignmentNode is not allowed'],
    ['f(x) = x ^ 2', 'FunctionAssignmentNode is not allowed'],
    ['import({}, {})', 'function "import" is not allowed'],
    ['evaluate("1 + 1")', 'function "evaluate" is not allowed'],
    ['process.exit(1)', 'function "exit" is not allowed'],
    ["require('fs')", 'function "require" is not allowed'],
    ['pi.constructor', 'AccessorNode is not allowed'],
    ['sqrt.constructor("return process")', 'function "constructor" is not allowed'],
    ['"391"', '"391" is not a number'],
    ['[1, 2]', 'ArrayNode is not allowed'],
    ['{a: 1}', 'ObjectNode is not allowed'],
    ['1; 2', 'BlockNode is not allowed'],
    ['1 ? 2 : 3', 'ConditionalNode is not allowed'],
    ['1:3', 'RangeNode is not allowed'],
    ['5!', 'operator "factorial" is not allowed'],
    ['1 == 1', 'operator "equal" is not allowed'],
    ['x + 1', 'unknown symbol "x"'],
    ['5 cm', 'unknown symbol "cm"'],
    // A function's arguments are checked like everything else, not only its name.
    ['sqrt(x)', 'unknown symbol "x"'],
    ['sqrt(process)', 'unknown symbol "process"'],
    ['sqrt(tau)', 'unknown symbol "tau"'],
    ['min(phi, 5)', 'unknown symbol "phi"'],
    ['abs(LN2)', 'unknown symbol "LN2"'],
    ['max(1, evaluate)', 'unknown symbol "evaluate"'],
    ['round(1.5, 2.5)', 'cannot be evaluated'],
    ['2 +', 'cannot parse "2 +"'],
  ])('refuses %s: %s', (expression, problem) => {
    const e = refusal(expression);
    expect(e.code).toBe('VALIDATION');
    expect(e.message).toMatch(/^expression: /);
    expect(e.message).toContain(problem);
  });

  it('answers the expression with its result, and rejects a refused one with the typed error', async () => {
    await expect(sut.run({ expression: '17 * 23' })).resolves.toEqual({
      expression: '17 * 23',
      result: 391,
    });
    await expect(sut.run({ expression: 'x = 1' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'expression: AssignmentNode is not allowed',
    });
  });

  it('declares an input schema that refuses an expression longer than 500 characters', () => {
    // The length limit is the schema's, applied by the tool runner before `run`.
    const validator = new SchemaValidator();
    const check = (expression: string) =>
      validator.assertValid(sut.definition.inputSchema, { expression }, 'input of calculator');
    const longest = '10' + ' +1'.repeat(166);
    expect(longest).toHaveLength(500);
    expect(() => check(longest)).not.toThrow();
    expect(evaluateExpression(math, longest)).toBe(176);
    let refused: unknown;
    try {
      check(`${longest}0`);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'VALIDATION' });
    expect((refused as DomainError).message).toMatch(
      /^invalid input of calculator: expression: .*500 characters/,
    );
  });
});
