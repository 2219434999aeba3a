import { type Stack, startStack } from '@switchboard/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS,
  type Browser,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.js';

const run = promisify(execFile);

// The console's MCP page in a real browser (Debian's Chromium through playwright-core) against real
// service processes (docs/console.md, docs/mcp.md): it lists the tools /mcp offers the signed-in user,
// asked from the browser over revision 2026-07-28 with the user's credentials, and its examples of
// both revisions run as printed (bash and curl) against the same gateway.
describe('the MCP page of the web console, in Chromium (real stack)', () => {
  let stack: Stack;
  let browser: Browser;
  let gw: string;

  beforeAll(async () => {
    stack = await startStack({ shape: 'cell', natsIdentities: true });
    gw = stack.gatewayUrl;
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    console.log(`console screenshots: ${ARTIFACTS}`);
    expect(refused).toEqual([]);
  });

  afterEach(() => {
    // No script error and nothing the page's Content-Security-Policy had to refuse.
    expect(browser.problems).toEqual([]);
  });

  async function mcpPage(userId: string, role: 'user' | 'admin'): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${gw}/console/`);
    await page.getByLabel('User id').fill(userId);
    await page.getByLabel('Role').selectOption(role);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.getByRole('link', { name: 'MCP', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'MCP' }).waitFor();
    await page.locator('.mcp-tools li').first().waitFor();
    return page;
  }

  const toolsOn = async (page: Page) =>
    (await page
      .locator('.mcp-tools li')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-tool')))) as string[];

  /** The tools /mcp lists for `userId` over 2026-07-28, asked outside the browser. */
  async function listed(userId: string, role: string): Promise<string[]> {
    const res = await fetch(`${gw}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-user-id': userId,
        'x-user-role': role,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/list',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    const body = (await res.json()) as { result: { tools: { name: string }[] } };
    return body.result.tools.map((t) => t.name);
  }

  it("lists the user's tools from /mcp over 2026-07-28, and its examples of both revisions run as printed", async () => {
    const mia = `mia-${randomUUID().slice(0, 8)}`;
    const page = await mcpPage(mia, 'user');
    expect(await page.locator('.mcp-endpoint').textContent()).toBe(`${gw}/mcp`);
    const server = (await page.locator('.mcp-server').textContent()) ?? '';
    expect(server).toContain('switchboard');
    expect(server).toContain('2026-07-28');
    expect(server).toContain('io.modelcontextprotocol/tasks');
    const tools = await toolsOn(page);
    expect(tools).toContain('calculator');
    // The endpoint's own tool that runs a whole task (docs/mcp.md) is listed like the others.
    expect(tools).toContain('switchboard.run_task');
    expect(tools).not.toContain('admin.debug');
    expect([...tools].sort()).toEqual((await listed(mia, 'user')).sort());
    expect(await page.locator('.mcp-headers').textContent()).toContain(`x-user-id: ${mia}`);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'mcp-page');

    // The 2026-07-28 example: discover, list and one call, no session.
    const modern = (await page.locator('pre[data-revision="2026-07-28"]').textContent()) ?? '';
    const out = (await run('bash', ['-c', modern])).stdout;
    expect(out).toContain('"supportedVersions":["2026-07-28"]');
    expect(out).toContain('"name":"calculator"');
    expect(out).toContain('"result":391');
    expect(out).not.toContain('"error"');
    // The 2025-11-25 example: initialize, the session's tools/list, the session ended.
    const session = (await page.locator('pre[data-revision="2025-11-25"]').textContent()) ?? '';
    const old = (await run('bash', ['-c', session])).stdout;
    expect(old).toContain('"name":"calculator"');
    expect(old).not.toContain('"error"');
    await page.close();
  });

  it('shows an admin the tools only admins have', async () => {
    const page = await mcpPage(`root-${randomUUID().slice(0, 8)}`, 'admin');
    expect(await toolsOn(page)).toContain('admin.debug');
    await page.close();
  });
});
