// The gateway benchmark's load generator: a child process (forked by gateway.bench.ts, talking over
// IPC) that holds many SSE streams on raw TCP sockets. A stream is one minimal HTTP/1.1 GET; the
// response is checked for `200`, then only scanned for the start of `data:` lines in the raw bytes — no
// HTTP client, no decoding, no per-frame strings — so that the cost of reading 2,000 streams stays
// small next to the cost of the server that writes them. The floor and the gateway are read by the
// same code. Times are `process.hrtime` (CLOCK_MONOTONIC), comparable with the parent's.
import { connect, type Socket } from 'node:net';

export type ClientCommand =
  | {
      type: 'open';
      port: number;
      path: string;
      clients: number;
      events: number;
      headers: Record<string, string>;
    }
  | { type: 'close' };

export type ClientReport =
  | { type: 'opened' }
  | { type: 'done'; first: number[]; done: number[] }
  | { type: 'closed' }
  | { type: 'error'; message: string };

/** Monotonic milliseconds, the same clock in every process of the machine. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** `\ndata: ` starts every data line, also right after a chunk-size line (`…\r\ndata: `). */
const DATA = Buffer.from('\ndata: ');
const HEAD_END = Buffer.from('\r\n\r\n');
const OK = Buffer.from('HTTP/1.1 200 ');

/** Streams being opened at once (connect until response head). */
const OPENING = 128;

let sockets: Socket[] = [];

const send = (report: ClientReport) => process.send?.(report);

function open(cmd: Extract<ClientCommand, { type: 'open' }>): void {
  const request = Buffer.from(
    `GET ${cmd.path} HTTP/1.1\r\nhost: 127.0.0.1:${cmd.port}\r\naccept: text/event-stream\r\n` +
      Object.entries(cmd.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n',
  );
  const first = new Array<number>(cmd.clients).fill(NaN);
  const done = new Array<number>(cmd.clients).fill(NaN);
  let opened = 0;
  let finished = 0;
  let failed = false;
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    send({ type: 'error', message });
  };
  sockets = [];
  // At most OPENING streams are being opened at once: thousands of simultaneous connects overflow the
  // listen backlog, and the SYN retries (1 s) would be all that the opening phase measures.
  let started = 0;
  const startNext = () => {
    if (started < cmd.clients) openStream(started++);
  };
  const openStream = (i: number) => {
    const socket = connect({ port: cmd.port, host: '127.0.0.1', noDelay: true });
    sockets.push(socket);
    let head: Buffer | undefined = Buffer.alloc(0);
    let carry: Buffer | undefined;
    let count = 0;
    const hit = (now: number) => {
      if (count++ === 0) first[i] = now;
      if (count === cmd.events) {
        done[i] = now;
        if (++finished === cmd.clients) send({ type: 'done', first, done });
      }
    };
    socket.on('connect', () => socket.write(request));
    socket.on('data', (data: Buffer) => {
      const now = monotonicMs();
      let chunk = data;
      if (head) {
        head = head.length ? Buffer.concat([head, chunk]) : chunk;
        const end = head.indexOf(HEAD_END);
        if (end < 0) return;
        if (head.compare(OK, 0, OK.length, 0, OK.length) !== 0) {
          fail(`stream ${i}: ${head.subarray(0, head.indexOf('\r\n')).toString('latin1')}`);
          return;
        }
        chunk = head.subarray(end + 2); // keeps the `\r\n` before the body
        head = undefined;
        if (++opened === cmd.clients) send({ type: 'opened' });
        startNext();
      }
      if (carry) {
        // A `\ndata: ` cut in two by the TCP reads.
        const seam = Buffer.concat([carry, chunk.subarray(0, DATA.length - 1)]);
        if (seam.indexOf(DATA) >= 0) hit(now);
      }
      for (let at = chunk.indexOf(DATA); at >= 0; at = chunk.indexOf(DATA, at + DATA.length)) {
        hit(now);
      }
      carry = chunk.subarray(Math.max(0, chunk.length - (DATA.length - 1)));
    });
    socket.on('error', (e) => fail(`stream ${i}: ${e.message}`));
    socket.on('close', () => {
      if (count < cmd.events) fail(`stream ${i} ended after ${count}/${cmd.events} events`);
    });
  };
  for (let i = 0; i < Math.min(OPENING, cmd.clients); i++) startNext();
}

process.on('message', (cmd: ClientCommand) => {
  if (cmd.type === 'open') open(cmd);
  else {
    // Closed only after every stream of the round is done, so teardown is outside the timed window.
    for (const s of sockets) s.destroy();
    sockets = [];
    send({ type: 'closed' });
  }
});
