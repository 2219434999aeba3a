import { describe, expect, it } from '@jest/globals';
import type { VNode } from 'preact';
import { FilterForm } from './filter-form.component';

/** A handler the test does not look at. */
const ignore = () => undefined;

type Props = Record<string, unknown> & { children: unknown };

const form = (props: Parameters<typeof FilterForm>[0]) => FilterForm(props) as VNode<Props>;

describe(FilterForm.name, () => {
  it('is a filters form: its fields, then Apply, then what comes after it', () => {
    const f = form({ label: 'Filter tasks', onApply: ignore, children: 'fields', after: 'more' });
    expect(f.type).toBe('form');
    expect(f.props).toMatchObject({ class: 'filters', 'aria-label': 'Filter tasks' });
    const [fields, submit, after] = f.props.children as [unknown, VNode<Props>, unknown];
    expect(fields).toBe('fields');
    expect(submit.type).toBe('button');
    expect(submit.props).toMatchObject({ type: 'submit', children: 'Apply' });
    expect(after).toBe('more');
  });

  it('adds its classes to filters and names its button when asked', () => {
    const f = form({ class: 'tenant-picker', submit: 'Show', onApply: ignore, children: null });
    expect(f.props['class']).toBe('filters tenant-picker');
    const [, submit] = f.props.children as [unknown, VNode<Props>];
    expect(submit.props.children).toBe('Show');
  });

  it('stays on the page when submitted and applies the filters', () => {
    let applied = 0;
    let prevented = 0;
    const f = form({ onApply: () => applied++, children: null });
    const onSubmit = f.props['onSubmit'] as (e: { preventDefault: () => void }) => void;
    onSubmit({ preventDefault: () => prevented++ });
    expect({ applied, prevented }).toEqual({ applied: 1, prevented: 1 });
  });
});
