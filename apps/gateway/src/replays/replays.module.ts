import { Module } from '@nestjs/common';
import { ReplaysController } from './replays.controller.js';

/** Replay batches over HTTP (docs/replay.md): start one, list them, read one. */
@Module({ controllers: [ReplaysController] })
export class ReplaysModule {}
