import { z } from 'zod';
import { ok, serviceErrors, tagged } from './openapi.operation-builders.js';

describe(tagged.name, () => {
  it('gives every operation of the list the one tag, keeping the rest and the order', () => {
    const list = tagged('webhooks', [
      {
        method: 'get',
        path: '/webhooks',
        summary: 'List',
        responses: ok('All.', z.object({})),
        errors: [],
      },
      {
        method: 'delete',
        path: '/webhooks/{id}',
        summary: 'Delete',
        responses: {},
        errors: serviceErrors(404),
      },
    ]);
    expect(list.map((op) => [op.method, op.path, op.tag])).toEqual([
      ['get', '/webhooks', 'webhooks'],
      ['delete', '/webhooks/{id}', 'webhooks'],
    ]);
    expect(list[1]?.errors).toEqual([401, 404, 429, 503, 504]);
  });
});
