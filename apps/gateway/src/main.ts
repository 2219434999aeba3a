import 'reflect-metadata';
import { runService } from '@switchboard/runtime';
import { gatewayService } from './gateway.service.js';

await runService(() => gatewayService(process.env));
