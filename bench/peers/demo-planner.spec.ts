import { DEMO_TASK } from '@switchboard/testing';
import { demoAnswer, DemoTaskError, evaluateArithmetic, planDemoTask } from './demo-planner.js';

describe('planDemoTask', () => {
  it('plans the demo task as a calculation whose result is saved as a note', () => {
    expect(planDemoTask(DEMO_TASK)).toEqual({ expression: '17 * 23', saveNote: true });
  });

  it.each([
    ['what is 2 + 2', { expression: '2 + 2', saveNote: false }],
    ['Calculate (1 + 2) * 3?', { expression: '(1 + 2) * 3', saveNote: false }],
    ['compute 6 / 3 and then save the result as a note', { expression: '6 / 3', saveNote: true }],
  ])('reads %j', (task, plan) => {
    expect(planDemoTask(task)).toEqual(plan);
  });

  it('refuses other requests, saying what it understands', () => {
    expect(() => planDemoTask('list my notes')).toThrow(DemoTaskError);
    expect(() => planDemoTask('list my notes')).toThrow(/task: this planner understands "what is/);
  });
});

describe('evaluateArithmetic', () => {
  it.each([
    ['17 * 23', 391],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['2 ^ -1', 0.5],
    ['7 % 4 + 1.5', 4.5],
    ['+3 - -3', 6],
  ])('%s = %s', (expression, value) => {
    expect(evaluateArithmetic(expression)).toBe(value);
  });

  it.each([
    ['1 +', /expression: unexpected end in "1 \+"/],
    ['2 * x', /expression: unexpected "x" \(token 3\)/],
    ['(1 + 2', /missing "\)"/],
    ['1 2', /unexpected "2" \(token 2\)/],
    ['1 / 0', /not a finite number/],
    ['', /unexpected end/],
  ])('refuses %j, saying where', (expression, message) => {
    expect(() => evaluateArithmetic(expression)).toThrow(message);
  });
});

describe('demoAnswer', () => {
  it("words the answer as Switchboard's built-in planner does", () => {
    const plan = { expression: '17 * 23', saveNote: true };
    expect(demoAnswer(plan, 391, { id: 'n1', content: '391' })).toBe(
      '17 * 23 = 391. Saved note n1: "391".',
    );
    expect(demoAnswer({ ...plan, saveNote: false }, 391)).toBe('17 * 23 = 391.');
  });
});
