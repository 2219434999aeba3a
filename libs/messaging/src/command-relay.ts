import { Controller, Inject, type Type } from '@nestjs/common';
import type { Actor, CommandContract } from '@switchboard/contracts';
import type { z } from 'zod';
import { HandleCommand } from './handle-command.decorator.js';
import { type MessageMeta, requireActor } from './message-meta.js';

/** A use case that does all of a command's work for the acting user, from the validated request. */
export interface ActorUseCase<C extends CommandContract> {
  execute(input: z.infer<C['request']>, actor: Actor): Promise<z.input<C['response']>>;
}

/** How a relayed command asks its provider: the validated request for the acting user, to the reply. */
export type RelayCall<C extends CommandContract, P> = (
  provider: P,
  request: z.infer<C['request']>,
  actor: Actor,
) => Promise<z.input<C['response']>>;

/** One command a CommandRelay serves, the provider of the module that does it, and how it is asked. */
export interface Relayed {
  readonly contract: CommandContract;
  readonly provider: Type<unknown>;
  readonly call: (provider: never, request: never, actor: Actor) => Promise<unknown>;
}

/** Serve `contract` by its use case's `execute(request, actor)`; the types say the two agree. */
export function relay<C extends CommandContract>(
  contract: C,
  useCase: Type<ActorUseCase<C>>,
): Relayed {
  return { contract, provider: useCase, call: executed };
}

/**
 * Serve `contract` by one call of a service that owns the operation among others (a store's search,
 * a grant of an authorization), so the command needs no use case of its own: `call` names the method
 * and the request's fields it takes, for the acting user; the types say it answers the reply.
 */
export function relayCall<C extends CommandContract, P>(
  contract: C,
  service: Type<P>,
  call: RelayCall<C, P>,
): Relayed {
  return { contract, provider: service, call };
}

const executed = (useCase: ActorUseCase<CommandContract>, request: unknown, actor: Actor) =>
  useCase.execute(request, actor);

/**
 * A controller for commands whose handler would only forward: each request — validated, traced and
 * answered as by HandleCommand — goes with the acting user (else UNAUTHORIZED, as requireActor) to its
 * use case's `execute` (or its service's call, relayCall), and the answer is the reply. The providers
 * are injected from the module, so a service declares such commands as a table (`class XRelay
 * extends CommandRelay(...)`) and writes handler methods only for commands that do more than hand over.
 */
export function CommandRelay(...relays: readonly Relayed[]): Type<object> {
  class Relay {
    readonly providers: unknown[];

    constructor(...providers: unknown[]) {
      this.providers = providers;
    }
  }
  const served = new Set<string>();
  relays.forEach(({ contract, provider, call }, i) => {
    // Two entries for one subject would answer it twice over; a table with one is a mistake.
    if (served.has(contract.subject))
      throw new Error(`CommandRelay: ${contract.subject} is relayed twice`);
    served.add(contract.subject);
    Inject(provider)(Relay, undefined, i);
    const forward = function (this: Relay, input: unknown, meta: MessageMeta): Promise<unknown> {
      // Nest injects one provider per entry, in the table's order: the one this entry's call takes,
      // and the input is its contract's validated request (relay and relayCall typed the pair).
      return call(this.providers[i] as never, input as never, requireActor(meta.actor));
    };
    const key = contract.subject;
    const method = { value: forward, writable: true, configurable: true };
    HandleCommand(contract)(Relay.prototype, key, method);
    Object.defineProperty(Relay.prototype, key, method);
  });
  Controller()(Relay);
  return Relay;
}
