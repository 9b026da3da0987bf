import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { answerClientErrorsAsJson } from './common/client-errors.js';

/** Application-level HTTP settings, shared by main.ts and the tests so both run the same server. */
export function configureBackend(app: NestExpressApplication): NestExpressApplication {
  app.enableShutdownHooks();
  // helmet's defaults: nosniff, frame and referrer policies, HSTS, a strict CSP, and no X-Powered-By.
  app.use(helmet());
  app.useBodyParser('json', { limit: '1mb' });
  answerClientErrorsAsJson(app.getHttpServer());
  return app;
}
