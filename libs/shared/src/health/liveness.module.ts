import { DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { LivenessIndicator } from './liveness-check.js';
import { LivenessServer } from './liveness-server.js';

export interface LivenessOptions {
  /** The app's checks. */
  indicator: Type<LivenessIndicator>;
  /** The modules that export what the indicator injects. */
  imports?: ModuleMetadata['imports'];
}

/** The worker's and the scheduler's `GET /health` on HEALTH_PORT (see {@link LivenessServer}). */
@Module({})
export class LivenessModule {
  static register(options: LivenessOptions): DynamicModule {
    return {
      module: LivenessModule,
      imports: options.imports ?? [],
      providers: [{ provide: LivenessIndicator, useClass: options.indicator }, LivenessServer],
    };
  }
}
