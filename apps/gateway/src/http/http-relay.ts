import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  type Type,
  UseGuards,
} from '@nestjs/common';
import type { Actor, CommandContract } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import type { z } from 'zod';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { ZodBodyPipe } from './zod-body.pipe.js';
import { ZodQueryPipe } from './zod-query.pipe.js';

/** A route's path parameters, as the router read them (each still to be parsed). */
export type PathParams = Readonly<Record<string, string>>;

type Valid<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** What a relayed route builds its command from: its path, its body and query validated, its caller. */
export interface RelayInput<B = unknown, Q = unknown> {
  readonly actor: Actor;
  readonly params: PathParams;
  readonly body: B;
  readonly query: Q;
}

/**
 * What carries a route's command out when that is more than its one request, as `bus.request` would
 * be called (forgetMemory: the store's command, then the run records').
 */
export type Carrier<R> = (bus: NatsBus, request: R, opts: { actor: Actor }) => Promise<unknown>;

/** One route of an HttpRelay: the command it sends, what it validates first, and its status. */
export interface HttpRoute {
  readonly verb: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly contract: CommandContract;
  readonly status?: number;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly request: (input: RelayInput) => unknown;
  readonly via?: Carrier<unknown>;
}

type Build<C extends CommandContract, B, Q> = (
  input: RelayInput<Valid<B>, Valid<Q>>,
) => z.input<C['request']>;

/** `{}`: what a route sends that reads neither body nor query. */
type NoInput = Record<never, never>;

/** What a route sends when it says nothing: its validated body, else its validated query, else {}. */
type Sent<B, Q> = B extends z.ZodType ? z.infer<B> : Q extends z.ZodType ? z.infer<Q> : NoInput;

/**
 * A route's options: `body` / `query` are validated by ZodBodyPipe / ZodQueryPipe (their 400s);
 * `status` is HttpCode's (none: Nest's default, 201 for POST); `request` builds the command — needed,
 * so the compiler says, unless the body (or query, or nothing) is the command's request as it is;
 * `via` sends it instead of `bus.request` (none: the command is the whole work).
 */
export type RouteOptions<C extends CommandContract, B, Q> = {
  readonly status?: number;
  readonly body?: B;
  readonly query?: Q;
  readonly via?: Carrier<z.input<C['request']>>;
} & ([Sent<B, Q>] extends [z.input<C['request']>]
  ? { readonly request?: Build<C, B, Q> }
  : { readonly request: Build<C, B, Q> });

const asIs = ({ body, query }: RelayInput): unknown => body ?? query ?? {};

/** Declares a route of one verb: with no options, one whose command takes no input of the request. */
interface RouteOf {
  <C extends CommandContract>(
    path: string,
    contract: [NoInput] extends [z.input<C['request']>] ? C : never,
  ): HttpRoute;
  <
    C extends CommandContract,
    B extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
  >(
    path: string,
    contract: C,
    options: RouteOptions<C, B, Q>,
  ): HttpRoute;
}

function route(verb: HttpRoute['verb']): RouteOf {
  return (
    path: string,
    contract: CommandContract,
    options?: Partial<Omit<HttpRoute, 'verb' | 'path' | 'contract'>>,
  ): HttpRoute => ({
    verb,
    path,
    contract,
    status: options?.status,
    body: options?.body,
    query: options?.query,
    request: options?.request ?? asIs,
    via: options?.via,
  });
}

export const get = route('GET');
export const post = route('POST');
export const put = route('PUT');
export const patch = route('PATCH');
export const del = route('DELETE');

const VERBS = { GET: Get, POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete } as const;

/** What an HttpRelay's hand-written routes have to work with. */
export interface HttpRelayController {
  readonly bus: NatsBus;
}

/**
 * A controller (`prefix`, behind AuthGuard) for routes whose whole work is one command to the
 * service that owns it: each route's body and query are validated as ZodBodyPipe and ZodQueryPipe
 * do, its command is built from them and its path, sent for the authenticated caller (by its `via`
 * when carrying it out takes more than the one request), and the answer is the response — what a
 * hand-written `return this.bus.request(C, …, { actor })` does, declared as a table. A controller
 * writes methods (on `class X extends HttpRelay(...)`, with `this.bus`) only for routes that do more.
 * The OpenAPI operations stay hand-written (src/openapi).
 */
export function HttpRelay(
  prefix: string,
  ...routes: readonly HttpRoute[]
): Type<HttpRelayController> {
  class Relay implements HttpRelayController {
    constructor(readonly bus: NatsBus) {}
  }
  Inject(NatsBus)(Relay, undefined, 0);
  const keys = new Set<string>();
  for (const r of routes) {
    const key = `${r.verb} ${r.path}`;
    // A second entry for a route would be registered twice over; a table with one is a mistake.
    if (keys.has(key)) throw new Error(`HttpRelay: ${key} is declared twice`);
    keys.add(key);
    const serve = function (
      this: Relay,
      actor: Actor,
      params: PathParams,
      body: unknown,
      query: unknown,
    ): Promise<unknown> {
      const request = r.request({ actor, params, body, query });
      if (r.via) return r.via(this.bus, request, { actor });
      return this.bus.request(r.contract, request, { actor });
    };
    const method = { value: serve, writable: true, configurable: true };
    Object.defineProperty(Relay.prototype, key, method);
    VERBS[r.verb](r.path)(Relay.prototype, key, method);
    if (r.status !== undefined) HttpCode(r.status)(Relay.prototype, key, method);
    // The arguments in `serve`'s order; a route without a body or query schema reads neither.
    CurrentActor()(Relay.prototype, key, 0);
    Param()(Relay.prototype, key, 1);
    if (r.body) Body(new ZodBodyPipe(r.body))(Relay.prototype, key, 2);
    if (r.query) Query(new ZodQueryPipe(r.query))(Relay.prototype, key, 3);
  }
  // '' is `@Controller()`: the routes' paths are the whole paths.
  (prefix === '' ? Controller() : Controller(prefix))(Relay);
  UseGuards(AuthGuard)(Relay);
  return Relay;
}
