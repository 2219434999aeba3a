import { Module } from '@nestjs/common';
import { CancelTaskUseCase } from './cancel-task/cancel-task.use-case.js';
import { QueuedRunStore } from './rerun-task/queued-run.store.js';
import { RerunTaskUseCase } from './rerun-task/rerun-task.use-case.js';
import { SubmitTaskUseCase } from './submit-task/submit-task.use-case.js';
import { StreamNewTaskUseCase } from './stream-new-task/stream-new-task.use-case.js';
import { TaskStreamer } from './task-streamer.js';
import { ResumeTaskStreamUseCase } from './resume-task-stream/resume-task-stream.use-case.js';
import { TaskAccess } from './task-access.js';
import { TaskEventFollower } from './feed/task-event.follower.js';
import { TaskOwners } from './task-owners.js';
import { AgentChoiceCheck } from './submit-task/agent-choice.check.js';
import { WebhookTargetCheck } from './submit-task/webhook-target.check.js';
import { ThreadAdmission } from './submit-task/thread-admission.js';
import { TaskSessions } from './session/task-sessions.js';
import { SseStreams } from '../http/sse-streams.js';

const PIPELINE = [
  SubmitTaskUseCase,
  TaskEventFollower,
  TaskOwners,
  TaskAccess,
  TaskSessions,
  SseStreams,
  TaskStreamer,
  StreamNewTaskUseCase,
  ResumeTaskStreamUseCase,
  CancelTaskUseCase,
  RerunTaskUseCase,
  QueuedRunStore,
  WebhookTargetCheck,
  AgentChoiceCheck,
  ThreadAdmission,
];

/**
 * The task pipeline shared by every HTTP surface: JSON/SSE, AG-UI, and the A2A and MCP edges, each a
 * translator over one TaskSession (TaskSessions).
 */
@Module({ providers: PIPELINE, exports: PIPELINE })
export class TaskPipelineModule {}
