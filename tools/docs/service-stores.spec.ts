import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateCells, storeFacts, storeProblems } from './service-stores.js';

const page = (a2aState: string) =>
  [
    '# Architecture',
    '',
    '| service | owns | state |',
    '| ------- | ---- | ----- |',
    '| `audit` | the trail | PostgreSQL `sb_audit`, files (per-task logs) |',
    `| \`a2a\` | delegation | ${a2aState} |`,
    '| `xmpp-bridge` | XMPP | none |',
    '',
    '| other | state |',
    '| `audit` | ignored |',
  ].join('\n');

const facts = new Map([
  [
    'audit',
    storeFacts(
      [{ key: 'DATABASE_URL', default: 'postgresql://postgres@127.0.0.1:5432/sb_audit' }],
      [],
    ),
  ],
  ['a2a', storeFacts([{ key: 'REDIS_URL' }], ['SB_DELEGATIONS'])],
  ['xmpp-bridge', storeFacts([{ key: 'PORT', default: 3005 }], [])],
]);

describe('the services table checked against the stores in the code', () => {
  it('reads each service state from the first table with a state column', () => {
    expect(stateCells(page('x')).get('audit')).toBe('PostgreSQL `sb_audit`, files (per-task logs)');
    expect(stateCells(page('x')).size).toBe(3);
  });

  it('passes a table that names every store the code has', () => {
    const ok = page(
      'JetStream `SB_DELEGATIONS` (delegations), Redis (quota counters); cards in memory',
    );
    expect(storeProblems(ok, facts)).toEqual([]);
  });

  it('names each store the table leaves out, or names without the code using it', () => {
    expect(storeProblems(page('in memory (card cache)'), facts)).toEqual([
      'a2a: the state column does not say Redis',
      'a2a: the state column does not say JetStream `SB_DELEGATIONS`',
    ]);
    expect(
      storeProblems(page('Redis, JetStream `SB_DELEGATIONS`, PostgreSQL `sb_a2a`'), facts),
    ).toEqual(['a2a: the state column names PostgreSQL, which its code does not use']);
    const noRow = new Map([...facts, ['gateway', storeFacts([{ key: 'REDIS_URL' }], [])]]);
    expect(storeProblems(page('Redis, JetStream `SB_DELEGATIONS`'), noRow)).toEqual([
      'gateway: no row in the services table',
    ]);
  });

  it('wants none where a service stores nothing', () => {
    const stateless = new Map([['xmpp-bridge', storeFacts([], [])]]);
    expect(storeProblems(page('x').replace('| none |', '| in memory |'), stateless)).toEqual([
      'xmpp-bridge: stores nothing, and the state column does not say none',
    ]);
  });

  it('holds for docs/architecture.md as committed (npm run docs:check checks it with the real configs)', () => {
    const doc = readFileSync(
      join(import.meta.dirname, '..', '..', 'docs', 'architecture.md'),
      'utf8',
    );
    expect([...stateCells(doc).keys()]).toEqual([
      'gateway',
      'orchestrator',
      'mcp-tools',
      'a2a',
      'audit',
      'xmpp-bridge',
    ]);
  });
});
