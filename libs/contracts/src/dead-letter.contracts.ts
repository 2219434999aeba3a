import { z } from 'zod';
import { defineEvent } from './define.js';
import { DeadLetterStream } from './streams.js';

export const DeadLetter = z.object({
  stream: z.string(),
  consumer: z.string(),
  subject: z.string(),
  reason: z.string(),
  /** The original payload as text, truncated to 64 KiB. */
  payload: z.string(),
  at: z.string().datetime(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export const DeadLettered = defineEvent({
  template: 'sb.dlq.{stream}',
  tokens: ['stream'],
  payload: DeadLetter,
  delivery: 'at-least-once',
  stream: DeadLetterStream,
  producers: ['orchestrator', 'audit'],
  consumers: [],
  description: 'A durable message that failed validation; kept for operators, never retried.',
});
