import { SERVICE_NAMES, type ServiceName } from '@switchboard/contracts';

/**
 * The order a cell starts its services in: each after those it calls (the orchestrator calls a2a,
 * a2a calls the xmpp-bridge; every one records to audit), the gateway — which lets work in — last.
 * They stop in the reverse order, so a service finishing its work in flight still reaches the ones
 * it calls: the orchestrator drains its delegations while a2a and the bridge still run.
 */
export const START_ORDER: readonly ServiceName[] = [
  'audit',
  'mcp-tools',
  'xmpp-bridge',
  'a2a',
  'orchestrator',
  'gateway',
];

/** An SB_SERVICES value the cell cannot run: the message says what is wrong and what is known. */
export class ServiceListError extends Error {
  constructor(problem: string) {
    super(
      `cell: SB_SERVICES ${problem} (known: all, or a comma-separated list of ${SERVICE_NAMES.join(', ')})`,
    );
    this.name = 'ServiceListError';
  }
}

/**
 * The services an SB_SERVICES value names, in START_ORDER: `all`, or names separated by commas
 * (spaces around them ignored). Unknown names are refused, every one named; so are an empty list and
 * a name given twice.
 */
export function parseServiceList(value: string): ServiceName[] {
  const trimmed = value.trim();
  if (trimmed === 'all') return [...START_ORDER];
  const names = trimmed
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new ServiceListError('names no service');
  const unknown = names.filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
  if (unknown.length)
    throw new ServiceListError(
      `names unknown service${unknown.length === 1 ? '' : 's'}: ${unknown.map((n) => `"${n}"`).join(', ')}`,
    );
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length) throw new ServiceListError(`names ${[...new Set(twice)].join(', ')} twice`);
  return START_ORDER.filter((s) => names.includes(s));
}
