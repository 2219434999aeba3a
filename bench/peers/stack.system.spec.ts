import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackLayout } from './stack.system.js';

function checkout(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sb-stack-layout-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('where the bench finds the stack npm run up started', () => {
  it('by default: .run/, ports from 3000, its NATS on 4322 read as the operator, the sb_ databases', () => {
    const root = checkout({});
    try {
      const layout = stackLayout(root, {});
      expect(layout.runDir).toBe(join(root, '.run'));
      expect(layout.serviceUrls.get('gateway')).toBe('http://127.0.0.1:3000');
      expect(layout.serviceUrls.get('xmpp-bridge')).toBe('http://127.0.0.1:3005');
      expect(layout.natsUrl).toBe('nats://127.0.0.1:4322');
      expect(layout.operatorSeed).toBe(join(root, '.run/nats/identities/operator.nk'));
      expect(layout.databaseUrls).toEqual({
        orchestrator: 'postgresql://postgres@127.0.0.1:5432/sb_orchestrator',
        tools: 'postgresql://postgres@127.0.0.1:5432/sb_tools',
        audit: 'postgresql://postgres@127.0.0.1:5432/sb_audit',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('as the scripts were told: SB_* settings (the shell over .env), the PostgreSQL setup found, your own NATS', () => {
    const root = checkout({
      '.env': 'SB_PORT_BASE=4000\nAUDIT_DATABASE_URL="postgresql://a@db:5432/audit"\n',
      'second/pg-url': 'postgresql://me:pw@127.0.0.1:5433/\n',
      'second/nats-servers': 'nats://nats.example:4222\n',
    });
    try {
      const layout = stackLayout(root, { SB_RUN_DIR: 'second', SB_NATS_PORT: '4999' });
      expect(layout.runDir).toBe(join(root, 'second'));
      expect(layout.serviceUrls.get('orchestrator')).toBe('http://127.0.0.1:4001');
      // NATS_SERVERS replaced the stack's NATS: no operator seed of the stack's to read it with
      expect(layout.natsUrl).toBe('nats://nats.example:4222');
      expect(layout.operatorSeed).toBeUndefined();
      expect(layout.databaseUrls).toEqual({
        orchestrator: 'postgresql://me:pw@127.0.0.1:5433/sb_orchestrator',
        tools: 'postgresql://me:pw@127.0.0.1:5433/sb_tools',
        audit: 'postgresql://a@db:5432/audit',
      });
      expect(stackLayout(root, { SB_RUN_DIR: 'elsewhere', SB_NATS_PORT: '4999' }).natsUrl).toBe(
        'nats://127.0.0.1:4999',
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
