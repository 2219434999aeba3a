import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type Tasks, Tools } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';

/** The longest a copy is used without asking again: it bounds staleness if change events were lost. */
const MAX_AGE_MS = 60_000;
/**
 * A copy at least this old is fetched again before a name is refused as unknown; a younger one is
 * trusted, so a stream of requests with made-up names sends at most one request a second.
 */
const MISS_REFRESH_MS = 1_000;

interface Copy {
  catalogue: Tools.ToolCatalogue;
  fetchedAt: number;
}

/**
 * The names of every tool and provider mcp-tools knows (`Tools.ToolsCatalogue`), kept here so that
 * constraints naming nothing real — or a tool that is not configured — are refused with a 400 before
 * a task is created. Only requests that carry constraints use it, and they use this copy: a task
 * without constraints sends nothing more over NATS, and one with them does only when the copy is
 * missing, older than a minute, or lacks a name (a tool registered since, whose change event was
 * lost; at most once a second). `sb.evt.tools.changed` for another registry version makes the copy old at once.
 *
 * When mcp-tools cannot be asked, the last copy is used; with none yet, the constraints pass
 * unchecked (logged): mcp-tools still applies them to every manifest and call, as it always did; this
 * check only gives the early, precise error.
 */
@Injectable()
export class ToolCatalogueService implements OnModuleInit, BeforeApplicationShutdown {
  private copy: Copy | undefined;
  private fetching: Promise<Copy | undefined> | undefined;
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.subscription = this.bus.subscribe(Tools.ToolsChanged, ({ registryVersion }) => {
      // Kept, but as old as can be: the next check asks again (and falls back on it meanwhile).
      if (this.copy && registryVersion !== this.copy.catalogue.registryVersion)
        this.copy = { ...this.copy, fetchedAt: 0 };
    });
  }

  beforeApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /**
   * Throws VALIDATION naming each provider or tool of `constraints` that does not exist or is not
   * configured, with its path under `prefix` (`tool_constraints` → `tool_constraints.tools.0`), in
   * the words of a rejected request body or query string (`what`).
   */
  async check(
    constraints: Tasks.ToolConstraints | undefined,
    where: { prefix: string; what: string },
  ): Promise<void> {
    if (!constraints || (!constraints.providers?.length && !constraints.tools?.length)) return;
    let copy = await this.current();
    if (!copy) return;
    let issues = Tools.constraintIssues(constraints, copy.catalogue, where.prefix);
    // A name missing from an older copy may be a tool registered since (its event lost): ask once more.
    if (issues.length && Date.now() - copy.fetchedAt >= MISS_REFRESH_MS) {
      copy = (await this.refresh(copy)) ?? copy;
      issues = Tools.constraintIssues(constraints, copy.catalogue, where.prefix);
    }
    if (issues.length) throw Tools.constraintsRejected(where.what, issues);
  }

  private async current(): Promise<Copy | undefined> {
    const copy = this.copy;
    if (copy && Date.now() - copy.fetchedAt < MAX_AGE_MS) return copy;
    // An old copy beats none while mcp-tools does not answer.
    return (await this.refresh(copy)) ?? copy;
  }

  /** Fetches a new copy (one request at a time however many callers wait), unless one came since. */
  private refresh(seen: Copy | undefined): Promise<Copy | undefined> {
    if (this.copy && this.copy !== seen) return Promise.resolve(this.copy);
    this.fetching ??= this.fetch().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetch(): Promise<Copy | undefined> {
    try {
      const catalogue = await this.bus.request(Tools.ToolsCatalogue, {});
      this.copy = { catalogue, fetchedAt: Date.now() };
      return this.copy;
    } catch (e) {
      this.logger.warn(
        { err: e },
        'could not fetch the tool catalogue from mcp-tools; constraints pass unchecked until it answers',
      );
      return undefined;
    }
  }
}
