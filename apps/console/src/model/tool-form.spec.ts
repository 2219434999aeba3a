import { describe, expect, it } from '@jest/globals';
import { toolArguments, toolFields } from './tool-form';

const schema = {
  type: 'object',
  properties: {
    expression: { type: 'string', description: 'what to compute' },
    precision: { type: 'integer' },
    exact: { type: 'boolean' },
    unit: { type: 'string', enum: ['m', 'km'] },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['expression'],
};

describe(toolFields.name, () => {
  it("makes a field of each property of the tool's input schema, JSON for the complex ones", () => {
    expect(toolFields(schema)).toEqual([
      { name: 'expression', kind: 'string', required: true, description: 'what to compute' },
      { name: 'precision', kind: 'integer', required: false },
      { name: 'exact', kind: 'boolean', required: false },
      { name: 'unit', kind: 'enum', required: false, options: ['m', 'km'] },
      { name: 'tags', kind: 'json', required: false },
    ]);
    expect(toolFields({ type: 'object', additionalProperties: false })).toEqual([]);
  });
});

describe(toolArguments.name, () => {
  const fields = toolFields(schema);

  it('builds the arguments, leaving empty optional fields out', () => {
    expect(
      toolArguments(fields, { expression: '17 * 23', precision: '2', tags: '["a"]', unit: '' }),
    ).toEqual({ ok: true, args: { expression: '17 * 23', precision: 2, tags: ['a'] } });
  });

  it('names each field that is wrong and why', () => {
    const r = toolArguments(fields, { precision: '2.5', tags: '[a' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toBe('expression: required');
    expect(r.problems[1]).toBe('precision: must be a whole number');
    expect(r.problems[2]).toMatch(/^tags: not valid JSON \(/);
  });
});
