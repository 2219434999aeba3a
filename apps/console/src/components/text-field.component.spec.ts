import { describe, expect, it } from '@jest/globals';
import type { VNode } from 'preact';
import { TextField } from './text-field.component';

/** A handler the test does not look at. */
const ignore = () => undefined;

type Props = Record<string, unknown> & { children: unknown };

describe(TextField.name, () => {
  it('is a label with its text before the input, the input taking every other attribute', () => {
    const onInput = ignore;
    const label = TextField({
      label: 'From',
      type: 'date',
      value: '2026-11-28',
      onInput,
    }) as VNode<Props>;
    expect(label.type).toBe('label');
    const [text, input] = label.props.children as [string, VNode<Props>];
    expect(text).toBe('From');
    expect(input.type).toBe('input');
    expect(input.props).toEqual({ type: 'date', value: '2026-11-28', onInput });
  });
});
