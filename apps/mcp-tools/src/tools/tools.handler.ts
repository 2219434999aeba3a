import { Controller } from '@nestjs/common';
import { Tools } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { BuildCatalogueUseCase } from './build-catalogue/build-catalogue.use-case.js';
import { BuildManifestUseCase } from './build-manifest/build-manifest.use-case.js';
import { CallToolUseCase } from './call-tool/call-tool.use-case.js';
import { SearchToolsUseCase } from './search-tools/search-tools.use-case.js';

/** NATS adapter: parse → use case → reply. The acting user comes from the message headers. */
@Controller()
export class ToolsHandler {
  constructor(
    private readonly buildCatalogue: BuildCatalogueUseCase,
    private readonly buildManifest: BuildManifestUseCase,
    private readonly callTool: CallToolUseCase,
    private readonly searchTools: SearchToolsUseCase,
  ) {}

  @HandleCommand(Tools.ToolsManifest)
  manifest(req: Tools.ManifestRequest, meta: MessageMeta): Promise<Tools.Manifest> {
    return this.buildManifest.execute(requireActor(meta.actor), req.constraints);
  }

  @HandleCommand(Tools.ToolsSearch)
  search(req: Tools.ToolSearchRequest, meta: MessageMeta): Promise<Tools.ToolSearchResult> {
    return this.searchTools.execute(requireActor(meta.actor), req);
  }

  /** Asks for no acting user: only the gateway may send it, for its own checks. */
  @HandleCommand(Tools.ToolsCatalogue)
  catalogue(): Tools.ToolCatalogue {
    return this.buildCatalogue.execute();
  }

  @HandleCommand(Tools.ToolsCall)
  call(req: Tools.ToolCallRequest, meta: MessageMeta): Promise<Tools.ToolCallResult> {
    // Whose inbox the reply goes to decides who may take the call's audit record in it.
    return this.callTool.execute(requireActor(meta.actor), req, meta.replyTo);
  }
}
