import type { InjectionToken, Provider } from '@nestjs/common';

/** The token a provider is injected by: what a module exports of the providers it lists. */
export function tokenOf(provider: Provider): InjectionToken {
  return typeof provider === 'function' ? provider : provider.provide;
}
