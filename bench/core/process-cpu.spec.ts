import { spawn } from 'node:child_process';
import { backendDatabase, withChildren } from './process-cpu.js';

describe('backendDatabase', () => {
  it.each([
    [
      'postgres: 15/main: postgres sbt_peers_mastra_1a2b3c4d 127.0.0.1(43158) idle',
      'sbt_peers_mastra_1a2b3c4d',
    ],
    ['postgres: app sb_tools 10.0.0.7(5123) INSERT', 'sb_tools'],
    ['postgres: 15/main: postgres sb_audit [local] idle in transaction', 'sb_audit'],
    ['postgres: 15/main: autovacuum worker sb_orchestrator', 'sb_orchestrator'],
  ])('reads the database a backend serves from %j', (title, database) => {
    expect(backendDatabase(title)).toBe(database);
  });

  it.each([
    '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf',
    'postgres: 15/main: checkpointer',
    'postgres: 15/main: background writer',
    'postgres: walwriter',
    'postgres: 15/main: autovacuum launcher',
    'postgres: 15/main: logical replication launcher',
  ])('names no database for the server process %j', (title) => {
    expect(backendDatabase(title)).toBeUndefined();
  });
});

describe('withChildren', () => {
  it('is a process and its children (the cells under their primary), and the process alone once it has none', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    try {
      expect(withChildren(process.pid)).toEqual(expect.arrayContaining([process.pid, child.pid]));
      expect(withChildren(child.pid!)).toEqual([child.pid]);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(withChildren(process.pid)).not.toContain(child.pid);
  });
});
