import { DomainError } from '@switchboard/contracts';

/**
 * A task that was accepted and ran, and ended failed or cancelled: reported with the task's own code
 * and FAILED_TASK_STATUS_OF, the task id and links in `details`.
 */
export class TaskOutcomeError extends DomainError {}
