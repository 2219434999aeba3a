// The demo task through @switchboard/client, its events printed as they come (libs/client/README.md).
// SWITCHBOARD_URL (default the local gateway), SWITCHBOARD_USER (dev mode) or SWITCHBOARD_TOKEN (JWT).
import { SwitchboardClient } from '@switchboard/client';

const client = new SwitchboardClient({
  baseUrl: process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:3000',
  dev: { userId: process.env.SWITCHBOARD_USER ?? 'ada' },
  token: process.env.SWITCHBOARD_TOKEN,
});
const stream = await client.tasks.stream({
  task: 'what is 17 * 23, then save the result as a note',
});
for await (const event of stream) console.log(event.seq, event.name, event.message ?? '');
