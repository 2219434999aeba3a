import { describe, expect, it } from '@jest/globals';
import { fieldBinders, fieldSetter } from './form-fields.hook';

interface Filters {
  task_id: string;
  user_id: string;
  commands: boolean;
}

/** A form's state as the hook keeps it: each change applied to the latest value. */
function form(initial: Filters) {
  const held = { value: initial };
  const field = fieldSetter<Filters>((change) => (held.value = change(held.value)));
  return { held, field };
}

const typed = (value: string) => ({ currentTarget: { value } });

describe(fieldSetter.name, () => {
  it("keeps an input's text as its field and leaves the others as they were", () => {
    const { held, field } = form({ task_id: '', user_id: 'ann', commands: true });
    field('task_id')(typed('3f2a'));
    expect(held.value).toEqual({ task_id: '3f2a', user_id: 'ann', commands: true });
  });

  it('does not let two inputs in one tick undo each other', () => {
    const { held, field } = form({ task_id: '', user_id: '', commands: false });
    const onTask = field('task_id');
    const onUser = field('user_id');
    onTask(typed('t-1'));
    onUser(typed('bob'));
    expect(held.value).toEqual({ task_id: 't-1', user_id: 'bob', commands: false });
  });
});

describe(fieldBinders.name, () => {
  it("gives a text input its field's value and the handler that writes that field", () => {
    const { held, field } = form({ task_id: 't-1', user_id: 'ann', commands: false });
    const bound = fieldBinders(held.value, field).text('user_id');
    expect(bound.value).toBe('ann');
    bound.onInput(typed('bob'));
    expect(held.value).toEqual({ task_id: 't-1', user_id: 'bob', commands: false });
  });

  it("gives a drop-down its field's value and an onChange that writes that field", () => {
    const { held, field } = form({ task_id: 't-1', user_id: 'ann', commands: false });
    const chosen = fieldBinders(held.value, field).choice('task_id');
    expect(chosen.value).toBe('t-1');
    chosen.onChange(typed('t-2'));
    expect(held.value.task_id).toBe('t-2');
  });
});
