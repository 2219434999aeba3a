// The floor of the SSE fan-out benchmark: a plain node:http server with one core NATS subscription per
// task, writing each task event to every client of that task as named SSE — what the gateway does,
// without authentication, limits, ordering or replay. Started as its own process by gateway.bench.ts.
import { connect } from '@nats-io/transport-node';
import { createServer, type ServerResponse } from 'node:http';

const nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
const clients = new Map<string, Set<ServerResponse>>();
const decoder = new TextDecoder();

nc.subscribe('sb.evt.task.>', {
  callback: (_err, msg) => {
    const taskId = msg.subject.split('.')[3] ?? '';
    const set = clients.get(taskId);
    if (!set) return;
    const event = (JSON.parse(decoder.decode(msg.data)) as { data: { seq: number; name: string } })
      .data;
    const frame = `id: ${event.seq}\nevent: ${event.name}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of set) res.write(frame);
    if (event.name === 'orchestrator.task.completed') for (const res of set) res.end();
  },
});

const server = createServer((req, res) => {
  const taskId = /^\/tasks\/([^/]+)\/events/.exec(req.url ?? '')?.[1];
  if (!taskId) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  let set = clients.get(taskId);
  if (!set) clients.set(taskId, (set = new Set()));
  set.add(res);
  res.on('close', () => set.delete(res));
});
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
