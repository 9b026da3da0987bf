import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import type { Request } from 'express';
import { requestIdOf } from '../common/request-id.middleware.js';

/**
 * Where a request came from, for a route that acts on behalf of someone who is not its caller (the
 * OAuth callback acts for whoever started the connection, as its sealed state says).
 */
export const RequestSource = createParamDecorator(
  (_: unknown, context: ExecutionContext): Omit<ActionOrigin, 'actor'> => {
    const request = context.switchToHttp().getRequest<Request>();
    return { ip: request.ip, requestId: requestIdOf(request) };
  },
);
