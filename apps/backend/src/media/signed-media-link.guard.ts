import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { MediaLinkSigner } from '@app/shared';
import type { Request } from 'express';

/** Admits requests whose `expires` and `signature` make a valid, unexpired link to the media in the path. */
@Injectable()
export class SignedMediaLinkGuard implements CanActivate {
  constructor(private readonly links: MediaLinkSigner) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const { expires, signature } = request.query;
    if (this.links.isValid(String(request.params.id), expires, signature)) return true;
    throw new ForbiddenException('This media link is invalid or has expired');
  }
}
