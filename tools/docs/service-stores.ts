// The services table of docs/architecture.md, its "state" column checked against the code: the stores
// each service's configuration and stream use say it has, so a store added or dropped cannot leave the
// page saying otherwise (as it once said a2a kept its state in memory only).

/** What a service's code says it stores, and where. */
export interface StoreFacts {
  /** DATABASE_URL's default database, when the service has one. */
  database?: string;
  /** Whether it has REDIS_URL. */
  redis: boolean;
  /** The JetStream streams it keeps state in (reads single messages back from). */
  streams: readonly string[];
}

/** A service's stores from its settings (key and default) and the streams it looks messages up in. */
export function storeFacts(
  settings: readonly { key: string; default?: unknown }[],
  streams: readonly string[],
): StoreFacts {
  const url = settings.find((s) => s.key === 'DATABASE_URL')?.default;
  const database = typeof url === 'string' ? new URL(url).pathname.slice(1) : undefined;
  return {
    ...(database ? { database } : {}),
    redis: settings.some((s) => s.key === 'REDIS_URL'),
    streams,
  };
}

/** The words the state cell must hold for `facts`, each with the store kind it names. */
function expected(facts: StoreFacts): [kind: string, words: string][] {
  return [
    ...(facts.database
      ? [['PostgreSQL', `PostgreSQL \`${facts.database}\``] as [string, string]]
      : []),
    ...(facts.redis ? [['Redis', 'Redis'] as [string, string]] : []),
    ...facts.streams.map((s): [string, string] => ['JetStream', `JetStream \`${s}\``]),
  ];
}

// Files (audit's per-task logs) are not checked: no setting tells a directory written from one read.
const KINDS = ['PostgreSQL', 'Redis', 'JetStream'];

/** The state cell of each service's row in the page's first table whose header has a `state` column. */
export function stateCells(page: string): Map<string, string> {
  const cells = new Map<string, string>();
  let column = -1;
  for (const line of page.split('\n')) {
    if (!line.startsWith('|')) {
      if (column >= 0 && cells.size) break;
      continue;
    }
    const parts = line.split('|').map((c) => c.trim());
    if (column < 0) {
      column = parts.indexOf('state');
      continue;
    }
    const service = /^`([a-z0-9-]+)`$/.exec(parts[1] ?? '')?.[1];
    if (service) cells.set(service, parts[column] ?? '');
  }
  return cells;
}

/** Where the page's state column disagrees with the code, one line per disagreement. */
export function storeProblems(page: string, facts: ReadonlyMap<string, StoreFacts>): string[] {
  const cells = stateCells(page);
  const problems: string[] = [];
  for (const [service, f] of facts) {
    const cell = cells.get(service);
    if (cell === undefined) {
      problems.push(`${service}: no row in the services table`);
      continue;
    }
    const want = expected(f);
    for (const [, words] of want)
      if (!cell.includes(words))
        problems.push(`${service}: the state column does not say ${words}`);
    for (const kind of KINDS)
      if (cell.includes(kind) && !want.some(([k]) => k === kind))
        problems.push(`${service}: the state column names ${kind}, which its code does not use`);
    if (!want.length && !cell.startsWith('none'))
      problems.push(`${service}: stores nothing, and the state column does not say none`);
  }
  return problems;
}
