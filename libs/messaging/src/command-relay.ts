import { Controller, Inject, type Type } from '@nestjs/common';
import type { Actor, CommandContract } from '@switchboard/contracts';
import type { z } from 'zod';
import { HandleCommand } from './handle-command.decorator.js';
import { type MessageMeta, requireActor } from './message-meta.js';

/** A use case that does all of a command's work for the acting user, from the validated request. */
export interface ActorUseCase<C extends CommandContract> {
  execute(input: z.infer<C['request']>, actor: Actor): Promise<z.input<C['response']>>;
}

/** One command a CommandRelay serves, and the use case (a provider of the module) that does it. */
export interface Relayed {
  readonly contract: CommandContract;
  readonly useCase: Type<ActorUseCase<CommandContract>>;
}

/** Serve `contract` by its use case's `execute(request, actor)`; the types say the two agree. */
export function relay<C extends CommandContract>(
  contract: C,
  useCase: Type<ActorUseCase<C>>,
): Relayed {
  return { contract, useCase };
}

/**
 * A controller for commands whose handler would only forward: each request — validated, traced and
 * answered as by HandleCommand — goes with the acting user (else UNAUTHORIZED, as requireActor) to its
 * use case's `execute`, and the use case's answer is the reply. The use cases are injected from the
 * module, so a service declares such commands as a table (`class XRelay extends CommandRelay(...)`)
 * and writes handler methods only for commands that do more than hand over.
 */
export function CommandRelay(...relays: readonly Relayed[]): Type<object> {
  class Relay {
    readonly useCases: ActorUseCase<CommandContract>[];

    constructor(...useCases: ActorUseCase<CommandContract>[]) {
      this.useCases = useCases;
    }
  }
  const served = new Set<string>();
  relays.forEach(({ contract, useCase }, i) => {
    // Two entries for one subject would answer it twice over; a table with one is a mistake.
    if (served.has(contract.subject))
      throw new Error(`CommandRelay: ${contract.subject} is relayed twice`);
    served.add(contract.subject);
    Inject(useCase)(Relay, undefined, i);
    const forward = function (this: Relay, input: unknown, meta: MessageMeta): Promise<unknown> {
      // Nest injects one use case per entry, in the table's order.
      const useCase = this.useCases[i] as ActorUseCase<CommandContract>;
      return useCase.execute(input, requireActor(meta.actor));
    };
    const key = contract.subject;
    const method = { value: forward, writable: true, configurable: true };
    HandleCommand(contract)(Relay.prototype, key, method);
    Object.defineProperty(Relay.prototype, key, method);
  });
  Controller()(Relay);
  return Relay;
}
