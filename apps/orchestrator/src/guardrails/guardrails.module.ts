import { Module } from '@nestjs/common';
import { GuardrailService } from './guardrail.service.js';
import { Guardrails } from './guardrails.js';

/** The guardrails (docs/orchestrator.md#guardrails): the task core's content screen. */
@Module({ providers: [GuardrailService, Guardrails], exports: [GuardrailService, Guardrails] })
export class GuardrailsModule {}
