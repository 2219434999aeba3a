import { describe, expect, it } from '@jest/globals';
import { authOf, clearCredentials, gatewayBase, loadCredentials, saveCredentials } from './session';

const store = () => {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
};

describe('authentication', () => {
  it('gives the client what each mode of the gateway reads', () => {
    expect(authOf({ mode: 'dev', userId: 'ada', role: 'admin' })).toEqual({
      dev: { userId: 'ada', role: 'admin' },
    });
    expect(authOf({ mode: 'dev', userId: 'ann', role: 'user', tenant: 'acme' })).toEqual({
      dev: { userId: 'ann', role: 'user', tenantId: 'acme' },
    });
    expect(authOf({ mode: 'jwt', token: ' eyJ.x.y \n' })).toEqual({ token: 'eyJ.x.y' });
    expect(authOf({ mode: 'jwt', token: ' ' })).toEqual({});
    expect(authOf({ mode: 'trusted-headers' })).toEqual({});
    expect(authOf(undefined)).toEqual({});
  });

  it('keeps credentials for the tab, and ignores what it cannot read', () => {
    const s = store();
    saveCredentials(s, { mode: 'jwt', token: 't' });
    expect(loadCredentials(s)).toEqual({ mode: 'jwt', token: 't' });
    saveCredentials(s, { mode: 'dev', userId: 'ann', role: 'admin', tenant: 'acme' });
    expect(loadCredentials(s)).toEqual({
      mode: 'dev',
      userId: 'ann',
      role: 'admin',
      tenant: 'acme',
    });
    clearCredentials(s);
    expect(loadCredentials(s)).toBeUndefined();
    s.setItem('switchboard-console:credentials', '{"mode":"root"}');
    expect(loadCredentials(s)).toBeUndefined();
  });
});

describe(gatewayBase.name, () => {
  it('finds the API next to /console/, also under a proxy prefix', () => {
    expect(gatewayBase('http://127.0.0.1:3000/console/#/run')).toBe('http://127.0.0.1:3000/');
    expect(gatewayBase('https://x.example/sb/console/?a=1#/tasks')).toBe('https://x.example/sb/');
  });
});
