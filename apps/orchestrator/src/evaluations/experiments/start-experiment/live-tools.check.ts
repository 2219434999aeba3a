import { Injectable } from '@nestjs/common';
import { type Actor, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { invalidField } from '../../evaluation-errors.js';

/**
 * The read-only tools an experiment names (`liveTools`) must be tools the caller is offered now: a
 * misspelt name would otherwise allow nothing and say nothing, and a name that is not a tool cannot
 * be run live. The manifest is mcp-tools' (the caller's, as a task of theirs would be offered).
 */
@Injectable()
export class LiveToolsCheck {
  constructor(private readonly bus: NatsBus) {}

  async check(names: readonly string[], actor: Actor): Promise<void> {
    const manifest = await this.bus.request(Tools.ToolsManifest, {}, { actor });
    const known = new Set(manifest.tools.map((t) => t.name));
    const unknown = names.findIndex((n) => !known.has(n));
    if (unknown >= 0)
      throw invalidField(`liveTools.${unknown}`, `no tool ${names[unknown]} is offered to you`);
  }
}
