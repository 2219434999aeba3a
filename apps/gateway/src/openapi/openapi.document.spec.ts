import { describe, expect, it } from '@jest/globals';
import { RequestMethod, type Type } from '@nestjs/common';
import { MODULE_METADATA, PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { PLATFORM_VERSION } from '@switchboard/runtime';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { A2aServerModule } from '../a2a/a2a-server.module.js';
import { HTTP_CONTROLLERS } from '../app.module.js';
import { McpServerModule } from '../mcp/mcp-server.module.js';
import { buildOpenApiDocument, OPERATIONS } from './openapi.document.js';

/** The gateway's controllers and those the A2A and MCP edges bring in their modules. */
const ALL_CONTROLLERS: Type<unknown>[] = [
  ...HTTP_CONTROLLERS,
  ...[A2aServerModule, McpServerModule].flatMap(
    (m) => (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, m) ?? []) as Type<unknown>[],
  ),
];

/** Every (method, path) the controllers register, in OpenAPI's `{param}` form. */
function registeredRoutes(): string[] {
  const out: string[] = [];
  for (const c of ALL_CONTROLLERS) {
    const prefix = String(Reflect.getMetadata(PATH_METADATA, c) ?? '');
    for (const name of Object.getOwnPropertyNames(c.prototype)) {
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

  it('is a valid-looking OpenAPI 3.1 document with the error envelope', () => {
    const doc = buildOpenApiDocument(PLATFORM_VERSION) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/ag-ui');
    expect(doc.paths['/tasks/{id}/events']?.['get']?.responses['429']).toBeDefined();
  });

  it('matches the committed docs/openapi.json (regenerate with tools/docs/generate-openapi.ts)', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
    const committed = readFileSync(join(root, 'docs', 'openapi.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(buildOpenApiDocument(PLATFORM_VERSION), null, 2)}\n`);
  });
});
