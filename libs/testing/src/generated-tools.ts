/**
 * Many plausible tools, as an MCP server of a large company would list them (docs/tools.md "Deferred
 * tools and tool search"): `<service>_<verb>_<thing>`, described in words a person would use, with
 * parameters of their own; and requests a person would make of each, worded differently from the tool.
 * Deterministic: the same `count` gives the same tools. For tool-search tests and its bench.
 */

export interface GeneratedTool {
  name: string;
  description: string;
  inputSchema: { type: 'object'; properties: Record<string, unknown>; required: string[] };
}

const SERVICES: [string, string, string[]][] = [
  ['github', 'GitHub', ['issue', 'pull_request', 'repository', 'release']],
  ['jira', 'Jira', ['ticket', 'sprint', 'epic', 'board']],
  ['slack', 'Slack', ['message', 'channel', 'reminder', 'emoji']],
  ['gmail', 'Gmail', ['email', 'draft', 'label', 'filter']],
  ['calendar', 'Google Calendar', ['event', 'meeting_room', 'availability', 'invitation']],
  ['drive', 'Google Drive', ['file', 'folder', 'permission', 'spreadsheet']],
  ['stripe', 'Stripe', ['payment', 'refund', 'invoice', 'subscription']],
  ['salesforce', 'Salesforce', ['lead', 'opportunity', 'account', 'contact']],
  ['zendesk', 'Zendesk', ['support_case', 'macro', 'agent', 'satisfaction_rating']],
  ['notion', 'Notion', ['page', 'database', 'block', 'comment']],
  ['trello', 'Trello', ['card', 'list', 'checklist', 'attachment']],
  ['dropbox', 'Dropbox', ['document', 'shared_link', 'backup', 'photo']],
  ['twilio', 'Twilio', ['sms', 'phone_call', 'phone_number', 'voicemail']],
  ['shopify', 'Shopify', ['product', 'order', 'customer', 'discount_code']],
  ['s3', 'Amazon S3', ['bucket', 'object', 'lifecycle_rule', 'presigned_url']],
  ['datadog', 'Datadog', ['monitor', 'dashboard', 'metric', 'incident']],
  ['pagerduty', 'PagerDuty', ['alert', 'on_call_schedule', 'escalation_policy', 'service']],
  ['confluence', 'Confluence', ['wiki_article', 'space', 'template', 'blog_post']],
  ['hubspot', 'HubSpot', ['deal', 'company', 'marketing_campaign', 'newsletter']],
  ['quickbooks', 'QuickBooks', ['expense', 'bill', 'vendor', 'tax_rate']],
  ['workday', 'Workday', ['employee', 'time_off_request', 'payslip', 'job_posting']],
  ['figma', 'Figma', ['design', 'prototype', 'component', 'style_guide']],
  ['zoom', 'Zoom', ['webinar', 'recording', 'transcript', 'participant']],
  ['okta', 'Okta', ['user_account', 'group', 'app_assignment', 'password_reset']],
  ['kubernetes', 'Kubernetes', ['deployment', 'pod', 'namespace', 'secret']],
];

/** Each verb: how the tool describes it, and how people ask for it (`{thing}`, `{service}`). */
const VERBS: [string, string, string[]][] = [
  [
    'create',
    'Creates (makes, adds) a new',
    ['Please make a new {thing} in {service}', 'Add a {thing} on {service} for me'],
  ],
  [
    'list',
    'Lists (shows) all the',
    ['Show me all the {thing}s in {service}', 'List the {service} {thing}s we have'],
  ],
  [
    'get',
    'Looks up the details of one',
    [
      'Look up one {thing} in {service} by its id',
      'Give me the details of a {thing} from {service}',
    ],
  ],
  [
    'update',
    'Edits (modifies, changes) an existing',
    ['Edit the {thing} in {service}', 'Modify that {service} {thing}'],
  ],
  [
    'delete',
    'Deletes (removes for good, gets rid of) a',
    ['Remove the {thing} from {service} for good', 'Get rid of this {service} {thing}'],
  ],
];

/** Parameters by verb, besides the thing's own id. */
const PARAMETERS: Record<string, string[]> = {
  create: ['name', 'summary'],
  list: ['page_size', 'cursor'],
  get: [],
  update: ['changes'],
  delete: ['confirm'],
};

const words = (thing: string) => thing.replace(/_/g, ' ');
const plural = (w: string) => (/[^aeiou]y$/.test(w) ? `${w.slice(0, -1)}ies` : `${w}s`);

function toolOf(
  service: string,
  title: string,
  verb: string,
  thing: string,
  copy: number,
): GeneratedTool {
  const suffix = copy === 0 ? '' : `${copy + 1}`;
  const [, described] = VERBS.find(([v]) => v === verb) ?? ['', ''];
  const idName = `${thing}_id`;
  const params = [
    ...(verb === 'create' || verb === 'list' ? [] : [idName]),
    ...(PARAMETERS[verb] ?? []),
  ];
  return {
    name: `${service}${suffix}_${verb}_${thing}`,
    description: `${described} ${words(thing)} in ${title}${suffix ? ` (workspace ${suffix})` : ''}.`,
    inputSchema: {
      type: 'object',
      properties: Object.fromEntries(
        params.map((p) => [p, { type: 'string', description: words(p) }]),
      ),
      required: params.slice(0, 1),
    },
  };
}

/** `count` tools (up to 500 distinct ones, then the same again per workspace: `github2_…`). */
export function generatedTools(count: number): GeneratedTool[] {
  const out: GeneratedTool[] = [];
  for (let copy = 0; out.length < count; copy++)
    for (const [service, title, things] of SERVICES)
      for (const thing of things)
        for (const [verb] of VERBS)
          if (out.length < count) out.push(toolOf(service, title, verb, thing, copy));
  return out;
}

export interface ToolRequest {
  /** What a person asks, in other words than the tool's. */
  text: string;
  /** The generated tool that does it. */
  tool: string;
}

/** `count` varied requests over the first 500 generated tools: every verb, service and wording. */
export function toolRequests(count: number): ToolRequest[] {
  const tools = generatedTools(500);
  return Array.from({ length: count }, (_, i) => {
    const tool = tools[(i * 37) % tools.length] as GeneratedTool;
    const [service, verb, ...rest] = tool.name.split('_');
    const thing = rest.join('_');
    const [, , asks] = VERBS.find(([v]) => v === verb) ?? ['', '', ['{thing} {service}']];
    const title = SERVICES.find(([s]) => s === service)?.[1] ?? String(service);
    const template = asks[i % asks.length] as string;
    const text = template
      .replace('{thing}s', plural(words(thing)))
      .replace('{thing}', words(thing))
      .replace('{service}', title);
    return { text, tool: tool.name };
  });
}
