import { describe, expect, it } from '@jest/globals';
import type { VNode } from 'preact';
import { DecisionForm } from './decision-form.component';
import { FormButtons } from './form-buttons.component';

type Props = Record<string, unknown> & { children: unknown };

/** A handler the test does not look at. */
const ignore = () => undefined;

const base = {
  id: 'approval-1-reason',
  label: 'Reason (the task hears it)',
  busy: false,
  submit: 'Reject the call',
  busyLabel: 'Rejecting…',
  onBack: ignore,
  onSubmit: ignore,
  children: 'the field',
};

const parts = (props: Parameters<typeof DecisionForm>[0]) => {
  const form = DecisionForm(props) as VNode<Props>;
  const [label, field, buttons] = form.props.children as [VNode<Props>, unknown, VNode<Props>];
  return { form, label, field, buttons };
};

describe(DecisionForm.name, () => {
  it('labels its field by id, then offers its button and Back', () => {
    const { form, label, field, buttons } = parts({ ...base, danger: true });
    expect(form.props['class']).toBe('approval-form');
    expect(label.props).toMatchObject({ for: 'approval-1-reason', children: base.label });
    expect(field).toBe('the field');
    expect(buttons.type).toBe(FormButtons);
    expect(buttons.props).toMatchObject({
      busy: false,
      label: 'Reject the call',
      busyLabel: 'Rejecting…',
      danger: true,
      backLabel: 'Back',
      onBack: ignore,
    });
  });

  it('is no danger unless asked', () => {
    expect(parts(base).buttons.props['danger']).toBe(false);
  });

  it('stays on the page when submitted and hands the decision on', () => {
    let decided = 0;
    let prevented = 0;
    const { form } = parts({ ...base, onSubmit: () => decided++ });
    (form.props['onSubmit'] as (e: { preventDefault: () => void }) => void)({
      preventDefault: () => prevented++,
    });
    expect({ decided, prevented }).toEqual({ decided: 1, prevented: 1 });
  });
});
