import { A2AError, TaskNotFoundError } from '@a2a-js/sdk/errors';
import { DomainError } from '@switchboard/contracts';
import { readAgentCard, toDomainError } from './a2a.translator.js';

const BASE = 'http://researcher.agents.example';
const v1Card = {
  name: 'Researcher',
  description: 'researches',
  version: '1.0.0',
  supportedInterfaces: [
    {
      url: 'http://researcher.agents.example/a2a',
      protocolBinding: 'JSONRPC',
      protocolVersion: '0.3',
    },
    {
      url: 'http://researcher.agents.example/a2a',
      protocolBinding: 'JSONRPC',
      protocolVersion: '1.0',
    },
  ],
  capabilities: { streaming: true },
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [{ id: 'research', name: 'Research', description: 'looks things up', tags: [] }],
};

describe('a2a translator', () => {
  it('reads a v1.0 card, preferring the 1.0 interface', () => {
    const { card } = readAgentCard(v1Card, 'researcher', BASE);
    expect(card).toMatchObject({
      name: 'Researcher',
      protocolVersion: '1.0',
      interfaceUrl: 'http://researcher.agents.example/a2a',
      streaming: true,
      skills: [{ id: 'research', name: 'Research', description: 'looks things up' }],
    });
    expect(card.json).toBe(v1Card);
  });

  it('reads a v0.3 card (url + preferredTransport)', () => {
    const { card } = readAgentCard(
      {
        protocolVersion: '0.3.0',
        name: 'Old',
        description: 'legacy',
        url: 'http://old.example/a2a',
        preferredTransport: 'JSONRPC',
        version: '0.1',
        capabilities: { streaming: false },
        defaultInputModes: ['text/plain'],
        defaultOutputModes: ['text/plain'],
        skills: [],
      },
      'old',
      'http://old.example',
    );
    expect(card).toMatchObject({
      name: 'Old',
      protocolVersion: '0.3',
      interfaceUrl: 'http://old.example/a2a',
      streaming: false,
    });
  });

  it('refuses a card it cannot use, naming the fields', () => {
    const bad = {
      ...v1Card,
      name: '',
      supportedInterfaces: [
        { url: 'file:///etc/passwd', protocolBinding: 'GRPC', protocolVersion: 'one' },
      ],
    };
    const error = (() => {
      try {
        readAgentCard(bad, 'researcher', BASE);
      } catch (e) {
        return e as DomainError;
      }
      throw new Error('expected a failure');
    })();
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toContain('agent card of researcher');
    expect(error.message).toContain('name');
    expect(error.message).toContain('supportedInterfaces.0.url');
    expect(error.message).toContain('supportedInterfaces.0.protocolVersion');
    expect(() => readAgentCard([1, 2], 'researcher', BASE)).toThrow(/not a JSON object/);
  });

  it("refuses a card whose interfaces leave the agent's own origin (they would carry its traffic elsewhere)", () => {
    const pointing = (url: string, binding = 'JSONRPC') => ({
      ...v1Card,
      supportedInterfaces: [
        v1Card.supportedInterfaces[1],
        { url, protocolBinding: binding, protocolVersion: '1.0' },
      ],
    });
    const refused = (json: unknown) => {
      try {
        readAgentCard(json, 'researcher', BASE);
      } catch (e) {
        return e as DomainError;
      }
      throw new Error('expected a refusal');
    };
    for (const url of [
      'http://127.0.0.1:4101/a2a',
      'http://169.254.169.254/latest/meta-data',
      'https://researcher.agents.example/a2a',
      'http://researcher.agents.example:8080/a2a',
      'http://researcher.agents.example.evil.example/a2a',
    ]) {
      const error = refused(pointing(url));
      expect(error.code).toBe('UPSTREAM_ERROR');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(`names the interface ${new URL(url).origin}`);
      expect(error.message).toContain(`not its own origin ${BASE}`);
      expect(error.details).toMatchObject({ agent: 'researcher', interfaceUrl: url });
    }
    // A v0.3 card's single url is checked the same way.
    expect(
      refused({
        protocolVersion: '0.3.0',
        name: 'Old',
        description: 'legacy',
        url: 'http://elsewhere.example/a2a',
        preferredTransport: 'JSONRPC',
        version: '0.1',
        capabilities: {},
        defaultInputModes: [],
        defaultOutputModes: [],
        skills: [],
      }).code,
    ).toBe('UPSTREAM_ERROR');
    // The same origin, spelled differently, and bindings the client never uses, are fine.
    expect(
      readAgentCard(pointing('HTTP://Researcher.Agents.Example:80/other'), 'researcher', BASE).card
        .interfaceUrl,
    ).toBe('http://researcher.agents.example/a2a');
    expect(() =>
      readAgentCard(pointing('http://grpc.example:443', 'GRPC'), 'researcher', BASE),
    ).not.toThrow();
  });

  it('maps SDK errors to the platform vocabulary, keeping transport errors as they are', () => {
    expect(toDomainError(new TaskNotFoundError('gone'), 'researcher', 'GetTask')).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(toDomainError(new A2AError('odd'), 'researcher', 'SendMessage')).toMatchObject({
      code: 'UPSTREAM_ERROR',
    });
    const transient = new DomainError('UPSTREAM_UNAVAILABLE', 'HTTP 503', { retryable: true });
    expect(toDomainError(transient, 'researcher', 'SendMessage')).toBe(transient);
    expect(
      toDomainError(new Error('wrapped', { cause: transient }), 'researcher', 'SendMessage'),
    ).toBe(transient);
    expect(
      toDomainError(new Error('Unexpected token <'), 'researcher', 'SendMessage'),
    ).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false });
  });
});
