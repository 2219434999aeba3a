import type { DelegateRequest, DelegationResult, DelegationUpdate } from './a2a.schemas.js';

const delegationId = '0b6b9a3e-6f43-4a57-9d55-2c1f0f7a0a11';

/** The demo's first delegation: "ask the researcher about NATS JetStream". */
export const researcherDelegation: DelegateRequest = {
  delegationId,
  taskId: '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718',
  stepId: 's1',
  agent: 'researcher',
  message: 'NATS JetStream',
};

export const researcherProgress: DelegationUpdate[] = [
  {
    kind: 'started',
    delegationId,
    agent: 'researcher',
    transport: 'xmpp',
    protocolVersion: '1.0',
    mode: 'poll',
  },
  {
    kind: 'status',
    delegationId,
    agent: 'researcher',
    transport: 'xmpp',
    state: 'TASK_STATE_WORKING',
    remoteTaskId: 'r-1',
    text: 'searching sources',
  },
  {
    kind: 'retry',
    delegationId,
    agent: 'researcher',
    transport: 'xmpp',
    attempt: 1,
    delayMs: 180,
    reason: 'HTTP 503',
  },
];

export const researcherResult: DelegationResult = {
  delegationId,
  agent: 'researcher',
  transport: 'xmpp',
  protocolVersion: '1.0',
  mode: 'poll',
  state: 'TASK_STATE_COMPLETED',
  remoteTaskId: 'r-1',
  contextId: 'c-1',
  text: 'NATS JetStream is the persistence layer of NATS.',
  artifacts: [
    {
      artifactId: 'findings',
      name: 'findings',
      parts: [
        { text: 'NATS JetStream is the persistence layer of NATS.', mediaType: 'text/plain' },
      ],
    },
  ],
  attempts: 2,
  durationMs: 412,
};
