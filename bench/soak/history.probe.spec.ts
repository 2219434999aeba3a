import { describe, expect, it } from '@jest/globals';
import { kindOf } from './history.probe.js';

describe('the soak probe’s message kinds', () => {
  it.each([
    ['$JS.API.CONSUMER.MSG.NEXT.SB_TASKS.orchestrator', 'JetStream pull request'],
    ['$JS.API.STREAM.MSG.GET.SB_TASK_EVENTS', 'JetStream API STREAM.MSG'],
    ['$JS.API.CONSUMER.CREATE.SB_TASK_EVENTS.x', 'JetStream API CONSUMER.CREATE'],
    ['$JS.ACK.SB_TASKS.orchestrator.1.2.3.4.5', 'JetStream ack'],
    ['_INBOX.abc.def', 'reply / delivery'],
    [
      'sb.evt.task.7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718.orchestrator.step.completed',
      'sb.evt.task (stored events)',
    ],
    ['sb.cmd.tools.call.7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718', 'sb.cmd.tools.call.<id>'],
    ['sb.audit.tool.7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718', 'sb.audit.tool.<id>'],
    ['sb.audit.request._', 'sb.audit.request.<id>'],
    ['sb.cmd.tools.manifest.build', 'sb.cmd.tools.manifest'],
    ['sb.task.submit', 'sb.task.submit'],
  ])('%s is counted as %s', (subject, kind) => {
    expect(kindOf(subject)).toBe(kind);
  });
});
