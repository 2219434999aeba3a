import { z } from 'zod';
import { formatJid, parseJid } from './jid.js';

/** SERVICE_MAP: URL host (optionally `host:port`, lower case) → the JID that serves it. */
export type ServiceMap = ReadonlyMap<string, string>;

const HOST =
  /^(?=.{1,253}(:\d{1,5})?$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/**
 * The one reading of SERVICE_MAP, shared by the xmpp-bridge (which resolves each host's JID) and the
 * a2a service (which sends a mapped host's HTTP through the bridge): the same value means the same
 * hosts to both. Parses SERVICE_MAP in either form the AZTM library accepts: a JSON object
 * (`{"researcher.example.run.app": "researcher@agents.example"}`) or `host=jid,host=jid`.
 * Returns the map, or the list of problems, each naming the offending entry.
 */
export function parseServiceMap(text: string): { map: ServiceMap } | { problems: string[] } {
  const trimmed = text.trim();
  if (!trimmed) return { map: new Map() };
  let entries: [string, unknown][];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      return { problems: [`not valid JSON (${(e as Error).message})`] };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { problems: ['must be a JSON object of host → JID'] };
    }
    entries = Object.entries(parsed);
  } else {
    entries = [];
    for (const item of trimmed
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const eq = item.indexOf('=');
      if (eq <= 0) return { problems: [`entry "${item}" is not host=jid`] };
      entries.push([item.slice(0, eq).trim(), item.slice(eq + 1).trim()]);
    }
  }
  const map = new Map<string, string>();
  const problems: string[] = [];
  for (const [rawHost, rawJid] of entries) {
    const host = rawHost.trim().toLowerCase();
    if (!HOST.test(host)) {
      problems.push(`"${rawHost}" is not a host name (expected e.g. researcher.example.run.app)`);
      continue;
    }
    if (typeof rawJid !== 'string') {
      problems.push(`the JID of "${rawHost}" must be a string`);
      continue;
    }
    const jid = parseJid(rawJid);
    if (typeof jid === 'string') {
      problems.push(`the JID of "${rawHost}": ${jid}`);
      continue;
    }
    if (map.has(host)) {
      problems.push(`"${host}" is mapped twice`);
      continue;
    }
    map.set(host, formatJid(jid));
  }
  return problems.length ? { problems } : { map };
}

/** SERVICE_MAP as an environment variable: the map, or one issue per problem (each naming its entry). */
export const envServiceMap = z
  .string()
  .default('')
  .transform((text, ctx): ServiceMap => {
    const parsed = parseServiceMap(text);
    if ('problems' in parsed) {
      for (const p of parsed.problems) ctx.addIssue({ code: 'custom', message: p });
      return new Map<string, string>();
    }
    return parsed.map;
  });
