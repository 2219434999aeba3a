import { describe, expect, it } from '@jest/globals';
import { isDomainError } from '@switchboard/contracts';
import { taskIdOf, taskOf } from './task-id.param.js';

const ID = '0b9b7c1e-4a5f-4e8e-9c2d-3f1a2b3c4d5e';

function refusal(read: () => unknown): { code: string; message: string } {
  try {
    read();
  } catch (e) {
    if (isDomainError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('task id path parameters', () => {
  it('reads a task id from the path, and from a relayed route’s `:id`', () => {
    expect(taskIdOf(ID)).toBe(ID);
    expect(taskOf({ id: ID })).toBe(ID);
  });

  it('refuses anything else as VALIDATION naming the parameter', () => {
    const bad = refusal(() => taskOf({ id: 'not-a-task' }));
    expect(bad.code).toBe('VALIDATION');
    expect(bad.message).toContain('task id');
    expect(refusal(() => taskIdOf('x', 'task id b')).message).toContain('task id b');
    expect(refusal(() => taskOf({})).code).toBe('VALIDATION');
  });
});
