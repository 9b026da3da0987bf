import type { NestExpressApplication } from '@nestjs/platform-express';

/** Application-level HTTP settings, shared by main.ts and the tests so both run the same server. */
export function configureBackend(app: NestExpressApplication): NestExpressApplication {
  app.enableShutdownHooks();
  app.useBodyParser('json', { limit: '1mb' });
  return app;
}
