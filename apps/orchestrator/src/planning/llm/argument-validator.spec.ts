import { ArgumentValidator } from './argument-validator.js';

describe('ArgumentValidator', () => {
  it("checks a model's arguments in the draft the tool's schema declares, as mcp-tools does", () => {
    // Before the shared policy, a 2020-12 schema was read as draft-07: prefixItems ignored, ['x', 'y'] passed.
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['range'],
      properties: {
        range: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] },
      },
    };
    const v = new ArgumentValidator();
    expect(v.problems(schema, { range: ['x', 2] })).toEqual([]);
    expect(v.problems(schema, { range: ['x', 'y'] })).toEqual(['range.1: must be number']);
    expect(v.problems(schema, {})).toEqual(["range: must have required property 'range'"]);
  });

  it('names the arguments themselves as (arguments), and leaves a broken schema to mcp-tools', () => {
    const v = new ArgumentValidator();
    expect(v.problems({ type: 'object' }, 'text')).toEqual(['(arguments): must be object']);
    expect(v.problems({ type: 'no-such-type' }, {})).toEqual([]);
  });
});
