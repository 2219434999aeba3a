import { Tools } from '@switchboard/contracts';

/**
 * The longest `timeoutMs` a tool may have (the contract's limit, below the bus wait). The 10 s left
 * cover the answer, and a repeated call that waits for a running one (its timeout + FINISH_GRACE_MS).
 */
export const MAX_TOOL_TIMEOUT_MS = Tools.MAX_TOOL_TIMEOUT_MS;

/**
 * How long after its timeout a running call has to store its outcome. An idempotency row still
 * `running` after its tool's timeout plus this grace belongs to a call that died with its replica.
 */
export const FINISH_GRACE_MS = 2_000;

export const timeoutTooLong = `must be at most ${MAX_TOOL_TIMEOUT_MS} ms (callers wait ${Tools.TOOL_CALL_WAIT_MS} ms for a tool call)`;
