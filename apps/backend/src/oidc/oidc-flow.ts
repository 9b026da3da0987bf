import { Injectable } from '@nestjs/common';
import { DomainError, EnvelopeCipher, KeyRing } from '@app/shared';
import { randomUUID } from 'node:crypto';
import { Clock } from '../connect/clock.js';
import { OAuthStateUseRepository } from '../connect/oauth-state-use.repository.js';

/** The associated data of every flow envelope: its key is used for nothing else. */
const FLOW_CONTEXT = '';

/** How long a person has to sign in at the provider. */
export const FLOW_LIFETIME_MS = 10 * 60 * 1000;

/** What a browser carries, sealed in a cookie, from GET /v1/auth/oidc/start to the callback. */
export interface OidcFlow {
  /** Recorded when the callback uses the flow, so it signs in once. */
  id: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  expiresAt: number;
}

/**
 * A sign-in in progress, kept by the browser that started it: AES-256-GCM sealed with the key ring's
 * OIDC-flow key (so it is signed, and the PKCE verifier and nonce inside stay secret), expiring and
 * single use. Holding it in the starting browser's cookie is what makes a callback that browser's:
 * a link with someone else's code (login CSRF) finds no flow, or one whose state differs.
 */
@Injectable()
export class OidcFlowCodec {
  private readonly cipher: EnvelopeCipher;

  constructor(
    ring: KeyRing,
    private readonly uses: OAuthStateUseRepository,
    private readonly clock: Clock,
  ) {
    this.cipher = new EnvelopeCipher(ring, 'oidc-flow');
  }

  /** A new flow, sealed for its cookie. */
  issue(secrets: Pick<OidcFlow, 'state' | 'nonce' | 'codeVerifier' | 'returnTo'>): { sealed: string; expiresAt: Date } {
    const flow: OidcFlow = { id: randomUUID(), ...secrets, expiresAt: this.clock.now() + FLOW_LIFETIME_MS };
    return { sealed: this.cipher.seal(flow, FLOW_CONTEXT), expiresAt: new Date(flow.expiresAt) };
  }

  /**
   * The flow the browser's cookie holds, checked against the callback's `state` and spent: a 400 when
   * there is none, it was tampered with, expired, belongs to another sign-in, or was used already.
   * Spent before the code is exchanged, so two callbacks racing with one flow cannot both sign in.
   */
  async use(sealed: string | null, state: string): Promise<OidcFlow> {
    if (!sealed) throw invalidState(`this browser started no sign-in (or its cookie is gone); ${START_AGAIN}`);
    let flow: OidcFlow;
    try {
      flow = this.cipher.open(sealed, FLOW_CONTEXT) as OidcFlow;
    } catch {
      throw invalidState(`the sign-in cookie is not one Herald issued; ${START_AGAIN}`);
    }
    const now = this.clock.now();
    if (flow.expiresAt < now) throw invalidState(`the sign-in expired; ${START_AGAIN}`);
    if (flow.state !== state) throw invalidState(`it does not match the sign-in this browser started; ${START_AGAIN}`);
    if (!(await this.uses.markUsed(flow.id, new Date(flow.expiresAt), new Date(now)))) {
      throw invalidState(`it was used already; ${START_AGAIN}`);
    }
    return flow;
  }
}

const START_AGAIN = 'start again with GET /v1/auth/oidc/start';

const invalidState = (why: string) => DomainError.validation([{ field: 'state', message: `is not valid: ${why}` }]);
