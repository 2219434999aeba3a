import { Module } from '@nestjs/common';
import { EvaluationsController } from './evaluations.controller.js';

/** Datasets, scores, experiments and scoring rules over HTTP (docs/evaluations.md). */
@Module({ controllers: [EvaluationsController] })
export class EvaluationsModule {}
