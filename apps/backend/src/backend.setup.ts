import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from '@app/shared';
import helmet from 'helmet';
import { HttpRateLimits, rateLimitMiddleware } from './rate-limit/http-rate-limits.js';
import { answerClientErrorsAsJson } from './common/client-errors.js';

/** Application-level HTTP settings, shared by main.ts and the tests so both run the same server. */
export function configureBackend(app: NestExpressApplication): NestExpressApplication {
  app.enableShutdownHooks();
  // request.ip is the client's address: X-Forwarded-For is read only when the peer is a trusted proxy.
  app.set('trust proxy', app.get(AppConfig).trustedProxies);
  // helmet's defaults: nosniff, frame and referrer policies, HSTS, a strict CSP, and no X-Powered-By.
  app.use(helmet());
  // Before the body parser: a refused request costs no parsing, and every answer carries the headers.
  app.use(rateLimitMiddleware(app.get(HttpRateLimits)));
  app.useBodyParser('json', { limit: '1mb' });
  answerClientErrorsAsJson(app.getHttpServer());
  return app;
}
