import { describe, expect, it } from '@jest/globals';
import type { VNode } from 'preact';
import { CheckField } from './check-field.component';

/** A handler the test does not look at. */
const ignore = () => undefined;

type Props = Record<string, unknown> & { children: unknown };

/** The label CheckField renders, and its checkbox. */
function rendered(props: Parameters<typeof CheckField>[0]) {
  const label = CheckField(props) as VNode<Props>;
  const [box] = label.props.children as [VNode<Props>];
  return { label, box };
}

describe(CheckField.name, () => {
  it('is a checkbox with its words after it, in an inline label', () => {
    const { label, box } = rendered({ checked: true, onChange: ignore, children: 'Refresh' });
    expect(label.type).toBe('label');
    expect(label.props['class']).toBe('inline');
    expect(box.type).toBe('input');
    expect(box.props).toMatchObject({ type: 'checkbox', checked: true });
    expect(label.props.children).toEqual([box, ' ', 'Refresh']);
  });

  it('adds its own class to inline', () => {
    const { label } = rendered({
      class: 'try-field',
      checked: false,
      onChange: ignore,
      children: 'x',
    });
    expect(label.props['class']).toBe('inline try-field');
  });

  it('hands on whether the box is now ticked', () => {
    const seen: boolean[] = [];
    const { box } = rendered({ checked: false, onChange: (c) => seen.push(c), children: 'x' });
    const onChange = box.props['onChange'] as (e: { currentTarget: { checked: boolean } }) => void;
    onChange({ currentTarget: { checked: true } });
    onChange({ currentTarget: { checked: false } });
    expect(seen).toEqual([true, false]);
  });
});
