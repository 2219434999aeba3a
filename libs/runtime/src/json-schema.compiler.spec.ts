import { JsonSchemaCompiler, schemaDraftOf, schemaIssues } from './json-schema.compiler.js';

describe('JsonSchemaCompiler (the one JSON Schema policy)', () => {
  const pair = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'array',
    prefixItems: [{ type: 'string' }, { type: 'number' }],
  };

  it('reads a schema in the draft it declares (2020-12 prefixItems are checked)', () => {
    const validate = new JsonSchemaCompiler().compile(pair);
    expect(validate(['a', 1])).toBe(true);
    expect(validate(['a', 'b'])).toBe(false);
    expect(schemaIssues(validate.errors)).toEqual([{ path: '1', message: 'must be number' }]);
  });

  it('takes draft-07 when no draft is declared, and 2019-09 when named', () => {
    expect(schemaDraftOf(undefined)).toBe('draft-07');
    expect(schemaDraftOf('http://json-schema.org/draft-07/schema#')).toBe('draft-07');
    expect(schemaDraftOf('https://json-schema.org/draft/2019-09/schema')).toBe('2019-09');
    expect(schemaDraftOf('https://json-schema.org/draft/2020-12/schema')).toBe('2020-12');
  });

  it('compiles a schema once (by content) and lets two schemas share an $id', () => {
    const schemas = new JsonSchemaCompiler();
    const s = { type: 'object', properties: { a: { type: 'string' } } };
    expect(schemas.compile(s)).toBe(schemas.compile({ ...s }));
    const one = schemas.compile({ $id: 'https://example.test/thing.json', type: 'string' });
    const two = schemas.compile({ $id: 'https://example.test/thing.json', type: 'number' });
    expect([one('x'), two(1), two('x')]).toEqual([true, true, false]);
  });

  it('names missing and unexpected fields in the path', () => {
    const validate = new JsonSchemaCompiler().compile({
      type: 'object',
      properties: { a: { type: 'object', required: ['b'], additionalProperties: false } },
    });
    validate({ a: { c: 1 } });
    expect(schemaIssues(validate.errors)).toEqual([
      { path: 'a.b', message: "must have required property 'b'" },
      { path: 'a.c', message: 'is not an allowed field' },
    ]);
  });

  it('throws for a schema that does not compile', () => {
    expect(() => new JsonSchemaCompiler().compile({ type: 'no-such-type' })).toThrow();
  });
});
