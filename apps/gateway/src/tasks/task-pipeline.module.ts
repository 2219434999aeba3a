import { Module } from '@nestjs/common';
import { SubmitTaskUseCase } from '../orchestrate/submit-task.use-case.js';
import { StreamNewTaskUseCase } from '../streaming/stream-new-task.use-case.js';
import { TaskStreamer } from '../streaming/task-streamer.js';
import { ResumeTaskStreamUseCase } from './resume-task-stream.use-case.js';
import { TaskAccess } from './task-access.js';
import { TaskEventFollower } from './task-event.feed.js';
import { TaskOwners } from './task-owners.js';

const PIPELINE = [
  SubmitTaskUseCase,
  TaskEventFollower,
  TaskOwners,
  TaskAccess,
  TaskStreamer,
  StreamNewTaskUseCase,
  ResumeTaskStreamUseCase,
];

/** The task pipeline shared by every HTTP surface: JSON/SSE, AG-UI, and the A2A and MCP edges. */
@Module({ providers: PIPELINE, exports: PIPELINE })
export class TaskPipelineModule {}
