// The HTTP target of the XMPP benchmark: echoes the request body (same size back). Own process, as
// an agent's HTTP server would be. Prints its port on stdout.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    res.writeHead(200, {
      'Content-Type': req.headers['content-type'] ?? 'text/plain',
      'Content-Length': body.length,
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
