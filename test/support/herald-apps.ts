import { ConsoleLogger, type INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { BackendModule } from '../../apps/backend/src/backend.module.js';
import { configureBackend } from '../../apps/backend/src/backend.setup.js';
import { SchedulerModule } from '../../apps/scheduler/src/scheduler.module.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { AppConfig } from '@app/shared';

export interface RunningBackend {
  app: NestExpressApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * The real backend module, in this test's process, on its configured port (0: a free one).
 * `customize` may replace a provider that is not a real component, such as the clock.
 */
export async function startBackend(
  config: AppConfig,
  customize: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
): Promise<RunningBackend> {
  const moduleRef = await customize(Test.createTestingModule({ imports: [BackendModule.forRoot(config)] })).compile();
  const app = configureBackend(moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error'] }));
  await app.listen(config.port, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

/** The real worker or scheduler module, in this test's process. */
export async function startContext(
  module: typeof WorkerModule | typeof SchedulerModule,
  config: AppConfig,
): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports: [module.forRoot(config)] })
    .setLogger(new ConsoleLogger({ logLevels: ['error'] }))
    .compile();
  return moduleRef.init();
}

export const startWorker = (config: AppConfig) => startContext(WorkerModule, config);
export const startScheduler = (config: AppConfig) => startContext(SchedulerModule, config);
