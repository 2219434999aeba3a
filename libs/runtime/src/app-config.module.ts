import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';

@Module({})
class AppConfigModule {}

/**
 * A service's validated configuration under APP_CONFIG, visible to every module of its application
 * (global): the first import of a service's root module.
 */
export function appConfigModule(config: object): DynamicModule {
  return {
    module: AppConfigModule,
    global: true,
    providers: [{ provide: APP_CONFIG, useValue: config }],
    exports: [APP_CONFIG],
  };
}
