import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from '@jest/globals';
import { RequestMethod, type Type } from '@nestjs/common';
import { MODULE_METADATA, PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner } from '@nestjs/core';
import { PLATFORM_VERSION } from '@switchboard/runtime';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURE_MODULES, HTTP_CONTROLLERS } from '../app.module.js';
import {
  buildOpenApiDocument,
  FIELD_NAMES,
  OPERATIONS,
  SSE_ITEM_SCHEMA,
} from './openapi.document.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const COMMITTED = join(ROOT, 'docs', 'openapi.json');

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
  >;
};

/** The gateway's own controllers and those its feature modules bring. */
const ALL_CONTROLLERS: Type<unknown>[] = [
  ...HTTP_CONTROLLERS,
  ...FEATURE_MODULES.flatMap(
    (m) => (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, m) ?? []) as Type<unknown>[],
  ),
];

/** Every (method, path) the controllers register, in OpenAPI's `{param}` form. */
function registeredRoutes(): string[] {
  const out: string[] = [];
  // Nest's own scan: a controller's methods and those it inherits (an HttpRelay's table).
  const scanner = new MetadataScanner();
  for (const c of ALL_CONTROLLERS) {
    const prefix = String(Reflect.getMetadata(PATH_METADATA, c) ?? '');
    for (const name of scanner.getAllMethodNames(c.prototype as object)) {
      const handler = (c.prototype as unknown as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      const full = `/${[prefix, path].filter((p) => p && p !== '/').join('/')}`.replace(
        /:(\w+)/g,
        '{$1}',
      );
      out.push(`${RequestMethod[method].toLowerCase()} ${full}`);
    }
  }
  return out.sort();
}

type Schema = { $ref?: string; properties?: Record<string, Schema> } & Record<string, unknown>;

/** Every property name of a schema at any depth, following `$ref`s into the components once. */
function fieldNames(
  schema: unknown,
  components: Record<string, Schema>,
  seen = new Set(),
): string[] {
  if (typeof schema !== 'object' || schema === null || seen.has(schema)) return [];
  seen.add(schema);
  const s = schema as Schema;
  const own = Object.keys(s.properties ?? {});
  const ref = s.$ref?.replace('#/components/schemas/', '');
  const nested = Object.values(s).flatMap((v) => fieldNames(v, components, seen));
  return [...own, ...nested, ...(ref ? fieldNames(components[ref], components, seen) : [])];
}

const CAMEL = /^[a-z][a-zA-Z0-9]*$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

describe('the OpenAPI document', () => {
  it('documents exactly the routes the controllers serve (plus health, readiness, metrics)', () => {
    const documented = OPERATIONS.map((o) => `${o.method} ${o.path}`).filter(
      (r) => !/\/(health|readiness|metrics)$/.test(r),
    );
    const served = registeredRoutes();
    expect(served).toEqual(
      expect.arrayContaining([
        'post /a2a',
        'get /.well-known/agent-card.json',
        'post /mcp',
        'get /mcp',
        'delete /mcp',
      ]),
    );
    expect(documented.sort()).toEqual(served);
  });

  it('is an OpenAPI 3.1 document with the error envelope', () => {
    const doc = buildOpenApiDocument(PLATFORM_VERSION) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/ag-ui');
    expect(doc.paths['/tasks/{id}/events']?.['get']?.responses['429']).toBeDefined();
  });

  it('describes its event streams within 3.1: a string, one event under x-itemSchema', () => {
    const doc = buildOpenApiDocument(PLATFORM_VERSION) as Doc;
    const stream = doc.paths['/tasks/{id}/events']?.['get']?.responses['200']?.content?.[
      'text/event-stream'
    ] as Record<string, unknown>;
    expect(stream['schema']).toMatchObject({ type: 'string' });
    expect(stream).not.toHaveProperty('itemSchema');
    expect(stream[SSE_ITEM_SCHEMA]).toMatchObject({
      type: 'object',
      properties: {
        data: {
          contentMediaType: 'application/json',
          contentSchema: { $ref: '#/components/schemas/TaskEvent' },
        },
      },
    });
    // No 3.2 keyword anywhere: `itemSchema` only as the extension.
    expect(JSON.stringify(doc)).not.toMatch(/"itemSchema"/);
  });

  it('matches the committed docs/openapi.json (regenerate with tools/docs/generate-openapi.ts)', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    expect(committed).toBe(`${JSON.stringify(buildOpenApiDocument(PLATFORM_VERSION), null, 2)}\n`);
  });

  it('validates as OpenAPI 3.1 (@apidevtools/swagger-parser: the OAS 3.1 schema, every $ref resolved)', async () => {
    // validate() dereferences in place: give it its own copy. It throws listing every violation.
    const doc = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Doc;
    const api = await SwaggerParser.validate(doc as never);
    expect(api).toMatchObject({ openapi: '3.1.0' });
  });

  it('keeps the rules the OAS schema cannot express: unique operationIds, every path template parameter declared', () => {
    const doc = JSON.parse(readFileSync(COMMITTED, 'utf8')) as {
      paths: Record<
        string,
        Record<string, { operationId: string; parameters?: { name: string; in: string }[] }>
      >;
    };
    const ids: string[] = [];
    const unnamed: string[] = [];
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        ids.push(op.operationId);
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        expect(declared.sort()).toEqual(templated.sort());
        if (!op.operationId) unnamed.push(`${method} ${path}`);
      }
    expect(unnamed).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the validator rejects a 3.2 keyword in a 3.1 document (so the check above has teeth)', async () => {
    const doc = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Doc;
    const stream = doc.paths['/tasks/{id}/events']?.['get']?.responses['200']?.content?.[
      'text/event-stream'
    ] as Record<string, unknown>;
    stream['itemSchema'] = stream[SSE_ITEM_SCHEMA];
    await expect(SwaggerParser.validate(doc as never)).rejects.toThrow(/unevaluated properties/);
  });

  it('names fields by its one stated convention (x-field-names)', () => {
    type Op = {
      parameters?: { name: string; in: string }[];
      requestBody?: { content: Record<string, { schema: unknown }> };
      responses: Record<string, { content?: Record<string, Record<string, unknown>> }>;
    };
    const doc = buildOpenApiDocument(PLATFORM_VERSION) as {
      paths: Record<string, Record<string, Op>>;
      components: { schemas: Record<string, Schema> };
      'x-field-names': unknown;
    };
    expect(doc['x-field-names']).toEqual(FIELD_NAMES);
    const components = doc.components.schemas;
    const offending: string[] = [];
    const check = (route: string, where: string, names: string[], rule: RegExp) =>
      names.filter((n) => !rule.test(n)).forEach((n) => offending.push(`${route} ${where}: ${n}`));
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        const route = `${method} ${path}`;
        const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        check(route, 'query', query, SNAKE);
        if ((FIELD_NAMES.protocolBodies as readonly string[]).includes(route)) continue;
        const snake = (FIELD_NAMES.snakeCaseBodies as readonly string[]).includes(route);
        const body = op.requestBody?.content['application/json']?.schema;
        check(route, 'body', fieldNames(body, components), snake ? SNAKE : CAMEL);
        for (const [status, r] of Object.entries(op.responses)) {
          const json = r.content?.['application/json']?.['schema'];
          // The error envelope is one shape for every route; it is checked once, below.
          if (!status.startsWith('2')) continue;
          check(route, status, fieldNames(json, components), snake ? SNAKE : CAMEL);
          const events = r.content?.['text/event-stream']?.[SSE_ITEM_SCHEMA];
          check(route, `${status} events`, fieldNames(events, components), CAMEL);
        }
      }
    check('every route', 'error', fieldNames(components['Error'], components), CAMEL);
    expect(offending).toEqual([]);
  });
});
