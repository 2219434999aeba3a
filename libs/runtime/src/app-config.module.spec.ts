import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { APP_CONFIG } from '@switchboard/config';
import { appConfigModule } from './app-config.module.js';

@Injectable()
class Reader {
  constructor(@Inject(APP_CONFIG) readonly config: { PORT: number }) {}
}

/** A feature module that does not import the configuration itself. */
@Module({ providers: [Reader] })
class FeatureModule {}

describe('appConfigModule', () => {
  it('provides the configuration to modules that do not import it (global)', async () => {
    const config = { PORT: 3009 };
    const app = await Test.createTestingModule({
      imports: [appConfigModule(config), FeatureModule],
    }).compile();
    expect(app.get(Reader).config).toBe(config);
    expect(app.get(APP_CONFIG)).toBe(config);
  });

  it('keeps each application to its own configuration', async () => {
    const [a, b] = await Promise.all(
      [{ PORT: 1 }, { PORT: 2 }].map((config) =>
        Test.createTestingModule({ imports: [appConfigModule(config), FeatureModule] }).compile(),
      ),
    );
    expect(a?.get(Reader).config.PORT).toBe(1);
    expect(b?.get(Reader).config.PORT).toBe(2);
  });
});
