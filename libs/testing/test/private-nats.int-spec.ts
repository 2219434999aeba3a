// The private nats-server helper's outage: it ends on the same port, with JetStream's store kept.
import { afterAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { portOpen, type PrivateNats, startPrivateNats } from '../src/index.js';

describe('startPrivateNats, stopped and started again', () => {
  let nats: PrivateNats | undefined;
  afterAll(async () => nats?.stop());

  it('goes away on stop() and comes back on start() with its streams and messages', async () => {
    nats = await startPrivateNats();
    expect(nats.port).not.toBe(4222);
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] });
    const ack = await jetstream(nc).publish('kept.one', 'still here');
    await nc.close();

    await nats.stop();
    expect(await portOpen(nats.port)).toBe(false);

    await nats.start();
    const again = await connect({ servers: nats.url });
    const stored = await (
      await jetstreamManager(again)
    ).streams.getMessage('KEPT', { seq: ack.seq });
    expect(stored?.string()).toBe('still here');
    await again.close();
  });
});
