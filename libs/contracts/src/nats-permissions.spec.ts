import { CATALOGUE } from './catalogue.js';
import { SERVICE_NAMES } from './define.js';
import {
  allNatsPermissions,
  inboxPrefix,
  NATS_IDENTITIES,
  natsPermissions,
  tenantOperatorPermissions,
  type NatsPermissions,
  streamsReplayedBy,
  streamsSetUpBy,
} from './nats-permissions.js';
import { ALL_STREAMS } from './streams.js';
import { TAP_WATCH_SUBJECT } from './traffic.js';

/** NATS subject matching: `*` is one token, `>` one or more trailing tokens. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (s[i] === undefined) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

const isService = (identity: string) => (SERVICE_NAMES as readonly string[]).includes(identity);
/** A concrete subject of a command (its placeholder filled). */
const example = (c: { pattern: string }) => c.pattern.replace('*', 'c0ffee');
const may = (list: readonly string[], subject: string) => list.some((p) => matches(p, subject));
const publishers = (subject: string) =>
  allNatsPermissions()
    .filter((p) => may(p.publish, subject))
    .map((p) => p.identity);

describe('NATS permissions derived from the contracts', () => {
  it('lets only its callers send a command, and only its service receive it', () => {
    for (const c of CATALOGUE.commands) {
      expect({ subject: c.subject, senders: publishers(example(c)).sort() }).toEqual({
        subject: c.subject,
        senders: [...c.callers].sort(),
      });
      const receivers = allNatsPermissions()
        .filter((p) => isService(p.identity) && may(p.subscribe, example(c)))
        .map((p) => p.identity);
      expect({ subject: c.subject, receivers }).toEqual({
        subject: c.subject,
        receivers: [c.service],
      });
    }
  });

  it("reads a task's events from the journal, not the stream: the orchestrator makes no consumer of it, the gateway and the audit service (task logs) may ask for the journal", () => {
    const orchestrator = natsPermissions('orchestrator').publish;
    expect(may(orchestrator, '$JS.API.CONSUMER.CREATE.SB_TASK_EVENTS.oc_1.sb.evt.task.t1.>')).toBe(
      false,
    );
    expect(may(orchestrator, '$JS.API.CONSUMER.MSG.NEXT.SB_TASK_EVENTS.oc_1')).toBe(false);
    expect(may(orchestrator, 'sb.evt.task.t1.default.orchestrator.task.completed')).toBe(true);
    expect(publishers('sb.cmd.orchestrator.task.events').sort()).toEqual(['audit', 'gateway']);
    expect(may(natsPermissions('live').publish, '$JS.API.CONSUMER.CREATE.SB_TASK_EVENTS.x')).toBe(
      false,
    );
  });

  it('lets the watchers say that they watch the copies, and the services that copy hear it', () => {
    for (const watcher of ['operator', 'admin', 'live'] as const)
      expect({ watcher, may: may(natsPermissions(watcher).publish, TAP_WATCH_SUBJECT) }).toEqual({
        watcher,
        may: true,
      });
    expect(publishers(TAP_WATCH_SUBJECT).sort()).toEqual(['admin', 'live', 'operator']);
    for (const service of SERVICE_NAMES) {
      const copies = may(natsPermissions(service).publish, `sb.tap.${service}`);
      const hears = may(natsPermissions(service).subscribe, TAP_WATCH_SUBJECT);
      expect({ service, hears }).toEqual({ service, hears: copies });
    }
  });

  it('refuses the audit query to every identity but the gateway and admin, the operator included', () => {
    expect(publishers('sb.cmd.audit.query').sort()).toEqual(['admin', 'gateway']);
    expect(may(natsPermissions('operator').publish, 'sb.cmd.audit.query')).toBe(false);
  });

  it('lets only the orchestrator relay audit records, only the audit service announce them, a tenant operator read its own', () => {
    expect(publishers('sb.cmd.audit.append').sort()).toEqual(['orchestrator']);
    const announced = 'sb.evt.audit.task.7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b.acme';
    expect(publishers(announced).filter((p) => p !== 'admin' && p !== 'operator')).toEqual([
      'audit',
    ]);
    expect(may(natsPermissions('operator').subscribe, announced)).toBe(true);
    expect(may(natsPermissions('live').subscribe, announced)).toBe(true);
    expect(may(tenantOperatorPermissions('acme').subscribe, announced)).toBe(true);
    expect(may(tenantOperatorPermissions('other').subscribe, announced)).toBe(false);
  });

  it('sends a tool call on its task’s subject, which its callers may publish and mcp-tools reads', () => {
    const call = CATALOGUE.commands.find((c) => c.subject === 'sb.cmd.tools.call.{taskId}')!;
    const subject = 'sb.cmd.tools.call.7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
    expect(publishers(subject).sort()).toEqual(['gateway', 'orchestrator']);
    expect(publishers('sb.cmd.tools.call._').sort()).toEqual(['gateway', 'orchestrator']);
    expect(publishers('sb.cmd.tools.call')).toEqual([]);
    expect(may(natsPermissions('mcp-tools').subscribe, subject)).toBe(true);
    expect(call.pattern).toBe('sb.cmd.tools.call.*');
    // audit records on their category and task
    expect(publishers('sb.audit.tool.7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b.acme')).toContain(
      'mcp-tools',
    );
    expect(may(natsPermissions('audit').subscribe, 'sb.audit.tool._.default')).toBe(true);
  });

  it('lets a namespace be forgotten by those who may forget a user: the gateway and the operator tool', () => {
    for (const subject of [
      'sb.cmd.tools.memory.forget-namespace',
      'sb.cmd.tools.memory.forget-user',
      'sb.cmd.orchestrator.memory.forget-recalled',
    ])
      expect({ subject, senders: publishers(subject).sort() }).toEqual({
        subject,
        senders: ['admin', 'gateway'],
      });
    expect(
      may(natsPermissions('mcp-tools').subscribe, 'sb.cmd.tools.memory.forget-namespace'),
    ).toBe(true);
  });

  it('lets admin read what the operator reads and send the operator commands only', () => {
    const op = natsPermissions('operator');
    const admin = natsPermissions('admin');
    expect(admin.subscribe).toEqual(op.subscribe);
    expect(admin.subscribeDeny).toEqual(['> *']);
    expect(admin.responses).toBeUndefined();
    const commands = CATALOGUE.commands.filter((c) => c.callers.includes('admin'));
    expect(commands.map((c) => c.subject).sort()).toEqual(
      [
        'sb.cmd.audit.query',
        'sb.cmd.audit.verify',
        // read-only: the schedules' due list (`switchboard schedules due`)
        'sb.cmd.orchestrator.schedule.due.list',
        // a request to be forgotten (`switchboard memory forget-*`): deletes memory, reads none of it
        'sb.cmd.orchestrator.memory.forget-recalled',
        'sb.cmd.tools.memory.forget-namespace',
        'sb.cmd.tools.memory.forget-tenant',
        'sb.cmd.tools.memory.forget-user',
        'sb.cmd.xmpp.status',
        // the evaluation gate (`switchboard eval run`): an experiment runs tasks from the record
        // only, calling no tool
        'sb.cmd.orchestrator.experiment.get',
        'sb.cmd.orchestrator.experiment.start',
        ...SERVICE_NAMES.map((s) => `sb.health.${s}`),
      ].sort(),
    );
    expect([...admin.publish].sort()).toEqual(
      [...op.publish, ...commands.map((c) => c.pattern)].sort(),
    );
    // nothing that changes the platform
    for (const subject of ['sb.cmd.tools.call._', 'sb.task.submit', 'sb.audit.tool._'])
      expect({ subject, ok: may(admin.publish, subject) }).toEqual({ subject, ok: false });
  });

  it('lets only its producers publish an event, and its consumers subscribe to it', () => {
    for (const e of CATALOGUE.events) {
      const example = (e.subject as (...tokens: string[]) => string)(...e.tokens.map(() => 'x'));
      expect({ event: e.template, publishers: publishers(example).sort() }).toEqual({
        event: e.template,
        publishers: [...e.producers].sort(),
      });
      for (const consumer of e.consumers)
        expect({
          consumer,
          event: e.template,
          ok: may(natsPermissions(consumer).subscribe, example),
        }).toEqual({ consumer, event: e.template, ok: true });
    }
  });

  it('gives the operator every platform subject and reply to read, and nothing to send but that it watches', () => {
    const op = natsPermissions('operator');
    expect(may(op.subscribe, 'sb.evt.task.t1.orchestrator.task.started')).toBe(true);
    expect(may(op.subscribe, 'sb.audit.tool')).toBe(true);
    expect(may(op.subscribe, `${inboxPrefix('gateway')}.abc`)).toBe(true);
    // Stored messages one by one (a task's history), never a consumer (it would choose where to deliver).
    for (const subject of op.publish.filter((s) => s !== TAP_WATCH_SUBJECT))
      expect(subject).toMatch(/^\$JS\.API\.(INFO|STREAM\.(INFO|MSG\.GET)\.[A-Z_]+)$/);
    expect(op.publish).toContain('sb.ctl.tap.watching');
    expect(op.subscribeDeny).toEqual(['> *']);
    expect(op.responses).toBeUndefined();
  });

  it('gives every identity its own inbox and no one else’s', () => {
    for (const p of allNatsPermissions().filter((x) => isService(x.identity))) {
      expect(may(p.subscribe, `${inboxPrefix(p.identity)}.reply1`)).toBe(true);
      for (const other of NATS_IDENTITIES.filter((i) => i !== p.identity))
        expect({
          who: p.identity,
          other,
          reads: may(p.subscribe, `${inboxPrefix(other)}.x`),
        }).toEqual({ who: p.identity, other, reads: false });
    }
  });

  it('lets a service answer what it serves within twice the callers’ wait, once per request', () => {
    for (const service of SERVICE_NAMES) {
      const served = CATALOGUE.commands.filter((c) => c.service === service);
      const { responses } = natsPermissions(service);
      expect(responses?.max).toBe(1);
      for (const c of served) expect(responses!.expiresMs).toBeGreaterThanOrEqual(2 * c.timeoutMs);
    }
  });

  it('lets a streamed reply, or the heartbeats of a long command, reach the caller’s inbox', () => {
    const beyondOneReply = CATALOGUE.commands.filter(
      (c) => c.reply === 'stream' || c.liveness === 'heartbeat',
    );
    expect(beyondOneReply.map((c) => c.subject)).toEqual(
      expect.arrayContaining([
        'sb.cmd.xmpp.http.stream',
        'sb.cmd.tools.call.{taskId}',
        'sb.cmd.a2a.delegate',
      ]),
    );
    for (const c of beyondOneReply)
      for (const caller of c.callers)
        expect(may(natsPermissions(c.service).publish, `${inboxPrefix(caller)}.s1`)).toBe(true);
    // and nobody else's inboxes: the gateway's only from the services it calls such commands of
    const gatewayCalls = beyondOneReply.filter((c) => c.callers.includes('gateway'));
    expect(publishers(`${inboxPrefix('gateway')}.x`).sort()).toEqual(
      [...new Set(gatewayCalls.map((c) => c.service))].sort(),
    );
    expect(publishers(`${inboxPrefix('operator')}.x`)).toEqual([]);
  });

  it('lets only the readers of a stream create consumers on it, and acknowledge its messages', () => {
    for (const stream of ALL_STREAMS) {
      const readers = [
        ...new Set([
          ...CATALOGUE.events.filter((e) => e.stream === stream).flatMap((e) => e.consumers),
          ...SERVICE_NAMES.filter((s) => streamsReplayedBy(s).includes(stream)),
        ]),
      ].sort();
      const creators = allNatsPermissions()
        .filter((p) => may(p.publish, `$JS.API.CONSUMER.CREATE.${stream.name}.c1.sb.x`))
        .map((p) => p.identity)
        .sort();
      expect({ stream: stream.name, creators }).toEqual({ stream: stream.name, creators: readers });
      const ackers = publishers(`$JS.ACK.${stream.name}.c1.1.2.3.4.0`).sort();
      expect({ stream: stream.name, ackers }).toEqual({ stream: stream.name, ackers: readers });
    }
  });

  it('lets a service create or update only the streams it sets up', () => {
    const byStream = (p: NatsPermissions) =>
      ALL_STREAMS.filter((s) => may(p.publish, `$JS.API.STREAM.UPDATE.${s.name}`)).map(
        (s) => s.name,
      );
    for (const service of SERVICE_NAMES)
      expect({ service, streams: byStream(natsPermissions(service)) }).toEqual({
        service,
        streams: streamsSetUpBy(service).map((s) => s.name),
      });
    expect(byStream(natsPermissions('operator'))).toEqual([]);
    // nobody deletes or purges a stream
    expect(publishers('$JS.API.STREAM.DELETE.SB_AUDIT')).toEqual([]);
    expect(publishers('$JS.API.STREAM.PURGE.SB_AUDIT')).toEqual([]);
  });
});
