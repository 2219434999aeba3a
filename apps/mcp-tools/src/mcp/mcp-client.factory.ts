import { Client } from '@modelcontextprotocol/client';
import { TASKS_EXTENSION } from './mcp-upstream-call.js';

/** Pages one `tools/list` may take, so a misbehaving server cannot make us loop. */
export const MAX_PAGES = 50;

/**
 * A client that offers 2026-07-28 first (`server/discover`) and falls back to the 2025-11-25
 * `initialize` handshake (a stdio server that does not answer the probe, or an HTTP server that
 * refuses it, is an older one). `input_required` is handed back, not fulfilled: a person answers it
 * through Switchboard's approvals. The `elicitation` capability (form) says we can ask someone, and
 * the tasks extension that a long call may become a task we follow.
 */
export function newClient(version: string): Client {
  const client = new Client(
    { name: 'switchboard-mcp-tools', version },
    {
      capabilities: { elicitation: { form: {} }, extensions: { [TASKS_EXTENSION]: {} } },
      versionNegotiation: { mode: 'auto' },
      inputRequired: { autoFulfill: false },
      listMaxPages: MAX_PAGES,
    },
  );
  // A 2025-11-25 server asks by a request of its own during the call, which nobody here can answer
  // in time: declined as "cancel" (no answer), so the server goes on or fails by its own rules.
  client.setRequestHandler('elicitation/create', () => ({ action: 'cancel' }));
  return client;
}
