/**
 * The calculator tool's expression grammar beyond numbers and operators: the functions and constants
 * it evaluates. Part of the tool's contract: mcp-tools refuses anything else, and the built-in planner
 * uses the same words to recognise an arithmetic question.
 */
export const CALCULATOR_FUNCTIONS: ReadonlySet<string> = new Set([
  'sqrt',
  'abs',
  'round',
  'floor',
  'ceil',
  'min',
  'max',
  'log',
  'log10',
  'exp',
  'sin',
  'cos',
  'tan',
]);

export const CALCULATOR_CONSTANTS: ReadonlySet<string> = new Set(['pi', 'e']);
