// `switchboard call` and `switchboard audit verify`: one command of the contracts catalogue, its request
// checked against the command's schema, sent as the services send it (NatsBus: Nest's envelope, the
// acting user and correlation headers, typed errors), its reply printed.
import { Audit, commandOfSubject, isDomainError } from '@switchboard/contracts';
import { type NatsBus, NotPermittedError } from '@switchboard/messaging';
import type { AuditVerifyCommand, CallCommand } from './args.js';
import { checkedRequest, resolveCommand } from './command-lookup.js';

export interface CallOutput {
  /** The reply (stdout). */
  line(text: string): void;
}

/**
 * Sends `cmd` and prints the reply as JSON (a streamed reply: each part on a line). A failure is thrown
 * as the DomainError the bus gives (main prints it with explainFailure).
 */
export async function call(bus: NatsBus, cmd: CallCommand, out: CallOutput): Promise<void> {
  const contract = resolveCommand(cmd.subject);
  const request = checkedRequest(contract, cmd.subject, cmd.request);
  const opts = {
    actor: cmd.actor,
    ...(cmd.timeoutMs !== undefined ? { timeoutMs: cmd.timeoutMs } : {}),
  };
  if (contract.reply === 'stream') {
    for await (const part of bus.requestStream(contract, request, opts))
      out.line(JSON.stringify(part));
    return;
  }
  out.line(JSON.stringify(await bus.request(contract, request, opts), null, 2));
}

/**
 * Verifies the audit trail's hash chain and says what it found. Resolves with whether it is intact
 * (the CLI's exit status 0 or 1).
 */
export async function auditVerify(
  bus: NatsBus,
  cmd: AuditVerifyCommand,
  out: CallOutput,
): Promise<boolean> {
  const result = await bus.request(
    Audit.AuditVerify,
    {},
    { actor: cmd.actor, ...(cmd.timeoutMs !== undefined ? { timeoutMs: cmd.timeoutMs } : {}) },
  );
  if (cmd.json) out.line(JSON.stringify(result));
  else if (result.ok) out.line(`audit trail intact: ${result.checked} rows checked`);
  else
    out.line(
      `audit trail BROKEN at row ${result.firstBrokenSeq ?? '?'}${result.reason ? `: ${result.reason}` : ''} (${result.checked} rows checked)`,
    );
  return result.ok;
}

/**
 * What to tell the user about a failed command: `CODE: message`, and for a refusal by NATS, who may
 * send it and how to connect as them.
 */
export function explainFailure(e: unknown): string {
  if (e instanceof NotPermittedError) {
    const subject = String(e.details?.['subject'] ?? '');
    const contract = commandOfSubject(subject);
    const callers = contract?.callers.join(', ') || 'no one';
    const hint =
      contract?.callers.includes('admin') === true
        ? 'connect as the admin identity (docs/operations.md, "NATS identities")'
        : 'no operator identity may send it';
    return `FORBIDDEN: NATS refused to let this connection send ${subject}: only its callers may (${callers}); ${hint}`;
  }
  if (isDomainError(e)) {
    const issues = e.details?.['issues'];
    const listed =
      Array.isArray(issues) && !e.message.includes(':')
        ? issues.map((i: { path?: string; message?: string }) => `\n  ${i.path}: ${i.message}`)
        : [];
    return `${e.code}: ${e.message}${listed.join('')}`;
  }
  return `failed: ${e instanceof Error ? e.message : String(e)}`;
}
