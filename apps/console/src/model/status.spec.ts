import { describe, expect, it } from '@jest/globals';
import { statusSlug, statusWords, TASK_STATUSES } from './status';

describe('task statuses', () => {
  it('offers every status, waiting for approval included, in words', () => {
    expect(TASK_STATUSES).toEqual([
      'queued',
      'running',
      'waiting_approval',
      'completed',
      'failed',
      'cancelled',
    ]);
    expect(statusWords('waiting_approval')).toBe('waiting for approval');
    expect(statusWords('completed')).toBe('completed');
    expect(statusWords('not_configured')).toBe('not configured');
    expect(statusWords('constructor')).toBe('constructor');
  });

  it('gives each status a class name', () => {
    expect(statusSlug('waiting_approval')).toBe('waiting-approval');
    expect(statusSlug('not configured')).toBe('notconfigured');
    expect(statusSlug('admin-only')).toBe('admin-only');
  });
});
