import { Tasks } from '@switchboard/contracts';
import { CommandRelay, relay } from '@switchboard/messaging';
import { AdmitToThreadUseCase } from './admit-to-thread/admit-to-thread.use-case.js';

/** Admits a task to the acting user's own thread before the gateway submits it (the use case). */
export class ThreadRelay extends CommandRelay(relay(Tasks.ThreadAdmit, AdmitToThreadUseCase)) {}
