import { z } from 'zod';
import { validationError } from './errors.js';
import { Tasks, Tools } from './index.js';
import {
  lowercaseName,
  safeText,
  scrubJson,
  StorableJsonObject,
  unstorableJsonPath,
} from './text.schemas.js';

describe('safe text and storable JSON', () => {
  it('refuses C0 control characters except tab, line feed and carriage return', () => {
    const s = safeText(z.string().max(10));
    expect(s.safeParse('a\tb\nc\r').success).toBe(true);
    for (const bad of ['a\u0000', '\u0007', 'x\u001f', '\u000b'])
      expect(s.safeParse(bad).success).toBe(false);
    expect(s.safeParse('x'.repeat(11)).success).toBe(false);
  });

  it('finds the first string or key jsonb cannot hold, by path', () => {
    expect(unstorableJsonPath({ a: [1, { b: 'ok' }] })).toBeUndefined();
    expect(unstorableJsonPath({ a: [1, { b: 'x\u0000' }] })).toEqual(['a', 1, 'b']);
    expect(unstorableJsonPath({ ['k\u0000']: 1 })).toEqual(['k\u0000']);
    expect(unstorableJsonPath({ s: 'lone \ud800 surrogate' })).toEqual(['s']);
    expect(
      unstorableJsonPath({ s: 'pair 😀 is fine', c: 'bell \u0007 is storable' }),
    ).toBeUndefined();
  });

  it('names the field of a tool input holding NUL', () => {
    const r = Tools.ToolCallRequest.safeParse({
      tool: 'notes.add',
      input: { content: 'a\u0000b' },
    });
    expect(r.success).toBe(false);
    expect(validationError('request', r.error!).message).toMatch(
      /input\.content: must not contain the NUL character/,
    );
    expect(StorableJsonObject.safeParse({ content: 'a\\u0000b' }).success).toBe(true);
  });

  it('scrubs only what cannot be stored from what must be kept although it arrived dirty', () => {
    expect(scrubJson({ ['k\u0000']: ['a\u0000b', 'bell\u0007 tab\t', '\ud800', 3, null] })).toEqual(
      {
        ['k\uFFFD']: ['a\uFFFDb', 'bell\u0007 tab\t', '\uFFFD', 3, null],
      },
    );
  });
});

describe('lowercaseName', () => {
  it('takes lowercase letters, digits, _ and - from a letter on, up to its length', () => {
    const name = lowercaseName(8);
    for (const ok of ['a', 'researcher'.slice(0, 8), 'a-1_b']) expect(name.parse(ok)).toBe(ok);
    for (const bad of ['', '1st', '-a', 'Upper', 'a.b', 'a b', 'x'.repeat(9)])
      expect(name.safeParse(bad).success).toBe(false);
    expect(name.safeParse('Bad').error?.issues[0]?.message).toBe(
      'must be lowercase letters, digits, "_" or "-", starting with a letter',
    );
  });
});

describe('user text in task contracts', () => {
  it('rejects NUL and other control characters in the task text, naming the field', () => {
    const r = Tasks.TaskRequest.safeParse({ task: 'what is 1+1\u0000' });
    expect(r.success).toBe(false);
    expect(validationError('request body', r.error!).message).toMatch(
      /task: must not contain control characters/,
    );
    expect(Tasks.TaskRequest.safeParse({ task: 'line one\nline two\ttabbed' }).success).toBe(true);
    expect(Tasks.TaskRequest.safeParse({ task: 'x', thread_id: 'a\u0000' }).success).toBe(false);
    expect(
      Tasks.TaskCancel.request.safeParse({ taskId: crypto.randomUUID(), reason: 'a\u0000' })
        .success,
    ).toBe(false);
  });

  it('refuses a plan action jsonb cannot store or a client cannot be sent', () => {
    const action = { id: 's1', kind: 'tool', target: 'notes.add', input: {}, description: 'd' };
    expect(Tasks.PlanAction.safeParse(action).success).toBe(true);
    const nul = Tasks.PlanAction.safeParse({ ...action, input: { content: 'a\u0000b' } });
    expect(nul.error?.issues[0]?.path).toEqual(['input', 'content']);
    expect(Tasks.PlanAction.safeParse({ ...action, target: 'a'.repeat(129) }).success).toBe(false);
    expect(Tasks.PlanAction.safeParse({ ...action, description: 'd'.repeat(501) }).success).toBe(
      false,
    );
  });
});
