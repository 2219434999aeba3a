import { backendDatabase } from './process-cpu.js';

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
