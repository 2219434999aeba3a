import 'reflect-metadata';
import { runService } from '@switchboard/runtime';
import { xmppBridgeService } from './xmpp-bridge.service.js';

await runService(() => xmppBridgeService(process.env, process.argv.slice(2)));
