// Console benchmark: the web console's weight, its first render, and scrolling a task of 1,000 events.
//   npm run bench -- console [--quick] [--loads N] [--events N]
// Self-contained: starts a private NATS, fresh databases and the gateway, orchestrator, mcp-tools and
// audit processes, and drives Debian's Chromium (playwright-core, headless) against them.
//   1. size: the console's JavaScript and CSS, gzip -9 and brotli (what the gateway sends);
//   2. first render: navigation start → the console's first paint of the app (`sb-console-first-render`)
//      and → the signed-in first view on screen (`sb-console-view-ready`, after GET /me), over N cold
//      loads (a fresh browser context each: nothing cached) and N warm ones (reloads);
//   3. scrolling: a task of N events (stored in the task event stream as the orchestrator stores them,
//      with its row in the orchestrator's table) replayed in the Tasks view, then its timeline scrolled
//      top to bottom and back at a steady speed, one step per animation frame: the frame intervals
//      (a dropped frame is one that took more than 1.5 × the display's frame time), long tasks, and
//      how many rows the virtualised list keeps in the DOM.
import 'reflect-metadata';
import { Tasks } from '@switchboard/contracts';
import { createBusClient, startStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { median, percentile } from '../stats.js';
import { syntheticTaskEvents } from './synthetic-task.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    loads: { type: 'string' },
    events: { type: 'string', default: '1000' },
  },
});
const LOADS = Number(args.loads ?? (args.quick ? 5 : 15));
const EVENTS = Number(args.events);
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const USER = 'bench-user';
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

function sizes(): void {
  // dist/bench/console → dist/apps/console/assets
  const dir = fileURLToPath(new URL('../../apps/console/assets/', import.meta.url));
  const rows = readdirSync(dir).map((name) => {
    const body = readFileSync(join(dir, name));
    return {
      name,
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
  console.log('\n1. size (dist/apps/console/assets)');
  for (const r of rows)
    console.log(
      `   ${r.name.padEnd(28)} ${kb(r.raw).padStart(9)}  gzip ${kb(r.gzip).padStart(8)}  br ${kb(r.br).padStart(8)}`,
    );
  const js = rows.filter((r) => r.name.endsWith('.js'));
  const sum = (k: 'raw' | 'gzip' | 'br') => js.reduce((a, r) => a + r[k], 0);
  console.log(
    `   JavaScript total: ${kb(sum('raw'))}, gzip ${kb(sum('gzip'))} (budget 200 KB), br ${kb(sum('br'))}`,
  );
}

const CREDENTIALS = `sessionStorage.setItem('switchboard-console:credentials', ${JSON.stringify(
  JSON.stringify({ mode: 'dev', userId: USER, role: 'user' }),
)})`;

/** The two marks of one load, in ms after navigation start. */
async function marks(page: Page): Promise<{ first: number; view: number }> {
  // A function, not a string: the page's CSP refuses eval.
  await page.waitForFunction(
    () => performance.getEntriesByName('sb-console-view-ready').length > 0,
    undefined,
    { timeout: 30_000 },
  );
  return page.evaluate<{ first: number; view: number }>(`({
    first: performance.getEntriesByName('sb-console-first-render')[0].startTime,
    view: performance.getEntriesByName('sb-console-view-ready')[0].startTime,
  })`);
}

async function firstRender(gateway: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const cold: { first: number; view: number }[] = [];
  const warm: { first: number; view: number }[] = [];
  try {
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext();
      await context.addInitScript(CREDENTIALS);
      const page = await context.newPage();
      await page.goto(`${gateway}/console/`);
      cold.push(await marks(page));
      await page.reload();
      warm.push(await marks(page));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`\n2. first render (${LOADS} loads each; ms after navigation start)`);
  for (const [name, xs] of [
    ['cold', cold],
    ['warm', warm],
  ] as const) {
    const first = xs.map((x) => x.first);
    const view = xs.map((x) => x.view);
    console.log(
      `   ${name}: app on screen p50 ${ms(median(first))} p95 ${ms(percentile(first, 95))}; signed-in view p50 ${ms(median(view))} p95 ${ms(percentile(view, 95))} max ${ms(Math.max(...view))}`,
    );
  }
}

interface ScrollReport {
  frames: number;
  frameMs: number;
  intervals: number[];
  longTasks: number;
  longTaskMs: number;
  rowsInDom: number;
  scrolledPx: number;
}

/** Scrolls the timeline down and up again, `step` px per animation frame, recording frame intervals. */
const SCROLL = `(async () => {
  const list = document.querySelector('.timeline');
  const longTasks = [];
  const observer = new PerformanceObserver((l) => longTasks.push(...l.getEntries()));
  observer.observe({ type: 'longtask', buffered: false });
  // The display's frame time, from 30 idle frames.
  const idle = await new Promise((resolve) => {
    const t = [];
    const tick = (now) => { t.push(now); t.length < 31 ? requestAnimationFrame(tick) : resolve(t); };
    requestAnimationFrame(tick);
  });
  const frameMs = (idle[idle.length - 1] - idle[0]) / (idle.length - 1);
  const step = 40;
  const intervals = [];
  let rowsInDom = 0;
  let scrolled = 0;
  await new Promise((resolve) => {
    let last;
    let down = true;
    const tick = (now) => {
      if (last !== undefined) intervals.push(now - last);
      last = now;
      rowsInDom = Math.max(rowsInDom, list.querySelectorAll('li[data-index]').length);
      const before = list.scrollTop;
      list.scrollTop += down ? step : -step;
      scrolled += Math.abs(list.scrollTop - before);
      if (down && list.scrollTop + list.clientHeight >= list.scrollHeight - 1) down = false;
      else if (!down && list.scrollTop <= 0) return resolve();
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  observer.disconnect();
  return {
    frames: intervals.length, frameMs, intervals, rowsInDom, scrolledPx: scrolled,
    longTasks: longTasks.length, longTaskMs: longTasks.reduce((a, e) => a + e.duration, 0),
  };
})()`;

async function scrolling(gateway: string, taskId: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(CREDENTIALS);
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${gateway}/console/#/tasks/${taskId}`);
    await page.getByText(`(${EVENTS} events)`).waitFor({ timeout: 60_000 });
    const loaded = performance.now() - started;
    const r = await page.evaluate<ScrollReport>(SCROLL);
    const slowAt = r.intervals.flatMap((x, i) => (x > 1.5 * r.frameMs ? [i] : []));
    const slow = slowAt.length;
    const cards = await page.evaluate<number>(
      "document.querySelector('.timeline li[data-index]')?.getAttribute('aria-setsize') | 0",
    );
    console.log(`\n3. scrolling a task of ${EVENTS} events (${cards} cards)`);
    console.log(`   replayed and shown in ${ms(loaded)}`);
    console.log(
      `   ${r.frames} frames over ${(r.scrolledPx / 1000).toFixed(1)}k px at 40 px/frame; display frame ${ms(r.frameMs)}`,
    );
    console.log(
      `   frame interval p50 ${ms(median(r.intervals))} p95 ${ms(percentile(r.intervals, 95))} p99 ${ms(percentile(r.intervals, 99))} max ${ms(Math.max(...r.intervals))}`,
    );
    console.log(
      `   dropped frames (> 1.5 × ${ms(r.frameMs)}): ${slow} of ${r.frames}${slow ? ` (at frames ${slowAt.slice(0, 12).join(', ')}${slow > 12 ? ', …' : ''})` : ''}; long tasks: ${r.longTasks} (${ms(r.longTaskMs)}); rows in the DOM at most: ${r.rowsInDom} of ${cards}`,
    );
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  console.log(
    `console bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Chromium ${CHROMIUM}`,
  );
  sizes();
  const stack = await startStack({
    services: ['mcp-tools', 'audit', 'orchestrator', 'gateway'],
    env: { gateway: { RATE_LIMIT_PER_MINUTE: '0' } },
  });
  try {
    await firstRender(stack.gatewayUrl);
    const taskId = randomUUID();
    const events = syntheticTaskEvents(taskId, USER, EVENTS);
    const at = events[0]?.at ?? new Date().toISOString();
    await stack.dbs.orchestrator.query(
      `INSERT INTO "Task" ("id", "userId", "role", "status", "text", "request", "correlationId",
         "planner", "lastEventSeq", "createdAt", "updatedAt", "startedAt", "finishedAt")
       VALUES ($1, $2, 'user', 'completed', $3, $4, 'bench', 'builtin', $5, $6, $6, $6, $6)`,
      [taskId, USER, 'a long chain of calculations', JSON.stringify({ task: 'bench' }), EVENTS, at],
    );
    const bus = await createBusClient(
      stack.nats.url,
      'orchestrator',
      stack.natsSettings('orchestrator'),
    );
    try {
      for (const e of events)
        await bus.jetstream.publish(Tasks.TaskEventPublished, [taskId, 'default', e.name], e, {
          msgId: `${taskId}:${e.seq}`,
        });
    } finally {
      await bus.close();
    }
    await waitFor(
      async () =>
        (await fetch(`${stack.gatewayUrl}/tasks/${taskId}`, { headers: { 'x-user-id': USER } }))
          .status === 200,
      { what: 'the synthetic task' },
    );
    await scrolling(stack.gatewayUrl, taskId);
  } finally {
    await stack.stop();
  }
}

await main();
