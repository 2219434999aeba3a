import { describe, expect, it } from '@jest/globals';
import { subjectMatches } from './poison.js';

describe('subjectMatches (which durables read a poison message)', () => {
  it.each([
    ['sb.evt.task.>', 'sb.evt.task.a.default.step', true],
    ['sb.evt.task.>', 'sb.evt.task', false],
    ['sb.cmd.*.run', 'sb.cmd.x.run', true],
    ['sb.cmd.*.run', 'sb.cmd.x.y.run', false],
    ['sb.cmd.x', 'sb.cmd.x', true],
    ['sb.cmd.x', 'sb.cmd.y', false],
  ])('%s takes %s: %s', (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
  });
});
