/**
 * Explicit state machines: the states a thing can be in, the events that move it, and nothing else.
 * A definition is data (its transition table is what the tests walk and the docs print); an instance
 * holds one current state and refuses an event its state does not take, naming both — so a new state
 * (waiting for an approval, replaying, interrupted by a newer message) is one row in a table, not one
 * more flag read in five places.
 */
export interface Transition<S extends string, E extends string> {
  from: S | readonly S[];
  on: E;
  to: S;
  /** Why this transition exists, for the generated table. */
  note?: string;
}

export interface MachineDefinition<S extends string, E extends string> {
  /** The thing's name, in errors and docs ("task", "delegation"). */
  name: string;
  initial: S;
  /** States nothing leaves. */
  final: readonly S[];
  transitions: readonly Transition<S, E>[];
}

/** An event the current state does not take: a bug in the driver, never a user's error. */
export class IllegalTransition extends Error {
  constructor(
    readonly machine: string,
    readonly state: string,
    readonly event: string,
  ) {
    super(`${machine}: "${event}" is not allowed in state "${state}"`);
    this.name = 'IllegalTransition';
  }
}

export class StateMachine<S extends string, E extends string> {
  private readonly table = new Map<string, S>();

  constructor(readonly definition: MachineDefinition<S, E>) {
    for (const t of definition.transitions) {
      for (const from of typeof t.from === 'string' ? [t.from] : t.from) {
        if (definition.final.includes(from))
          throw new Error(`${definition.name}: final state "${from}" cannot take "${t.on}"`);
        const key = `${from}\u0000${t.on}`;
        if (this.table.has(key))
          throw new Error(`${definition.name}: "${t.on}" from "${from}" is defined twice`);
        this.table.set(key, t.to);
      }
    }
  }

  /** Where `event` takes `state`, or undefined when that state does not take it. */
  target(state: S, event: E): S | undefined {
    return this.table.get(`${state}\u0000${event}`);
  }

  /** Where `event` takes `state`; throws IllegalTransition when it does not take it. */
  next(state: S, event: E): S {
    const to = this.target(state, event);
    if (to === undefined) throw new IllegalTransition(this.definition.name, state, event);
    return to;
  }

  isFinal(state: S): boolean {
    return this.definition.final.includes(state);
  }

  /** A new instance in the initial state (or `at`, for one resumed from storage). */
  start(at: S = this.definition.initial): MachineInstance<S, E> {
    return new MachineInstance(this, at);
  }

  /** A new instance moved by `events` in turn (throws IllegalTransition at the first it refuses). */
  walk(...events: E[]): MachineInstance<S, E> {
    const instance = this.start();
    for (const event of events) instance.fire(event);
    return instance;
  }

  /** The transition table as Markdown rows (from | event | to | note), in definition order. */
  markdown(): string {
    const rows = this.definition.transitions.map((t) => {
      const from = (typeof t.from === 'string' ? [t.from] : t.from).join(', ');
      return `| ${from} | \`${t.on}\` | ${t.to} | ${t.note ?? ''} |`;
    });
    return ['| from | event | to | why |', '|---|---|---|---|', ...rows].join('\n');
  }
}

/** One thing's current state. */
export class MachineInstance<S extends string, E extends string> {
  private current: S;
  private readonly seen: S[] = [];

  constructor(
    private readonly machine: StateMachine<S, E>,
    at: S,
  ) {
    this.current = at;
    this.seen.push(at);
  }

  get state(): S {
    return this.current;
  }

  /** Every state this instance has been in, in order (the initial one first). */
  get history(): readonly S[] {
    return this.seen;
  }

  get isFinal(): boolean {
    return this.machine.isFinal(this.current);
  }

  can(event: E): boolean {
    return this.machine.target(this.current, event) !== undefined;
  }

  /** Takes `event`; returns the new state. Throws IllegalTransition when the state does not take it. */
  fire(event: E): S {
    this.current = this.machine.next(this.current, event);
    this.seen.push(this.current);
    return this.current;
  }
}
