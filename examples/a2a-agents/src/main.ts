import { AgentConfig } from './agent.config.js';
import { startAgentServer } from './agent-server.js';

// A sample A2A agent process: configuration from the environment, one JSON log line per request.
const parsed = AgentConfig.safeParse(process.env);
if (!parsed.success) {
  process.stderr.write(
    `invalid agent configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`,
  );
  process.exit(1);
}
const log = (line: Record<string, unknown>) =>
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), agent: parsed.data.AGENT_KIND, ...line })}\n`,
  );
const agent = await startAgentServer(parsed.data, log);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void agent.close().then(() => process.exit(0));
  });
}
