import { Global, Module } from '@nestjs/common';
import { HttpRateLimits } from './http-rate-limits.js';
import { RateLimiter } from './rate-limiter.service.js';

/** The API's rate limits (see README, Security). Global: the auth guards of every controller use them. */
@Global()
@Module({
  providers: [RateLimiter, HttpRateLimits],
  exports: [HttpRateLimits],
})
export class RateLimitModule {}
