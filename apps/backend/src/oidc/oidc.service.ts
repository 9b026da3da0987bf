import { Injectable, Logger } from '@nestjs/common';
import { DomainError, TransactionRunner, UserRepository } from '@app/shared';
import * as openid from 'openid-client';
import { SessionsService, type StartedSession } from '../auth/sessions.service.js';
import { OidcClient, type OidcClaims } from './oidc-client.js';
import { OidcFlowCodec } from './oidc-flow.js';
import { DEFAULT_RETURN_TO, safeReturnTo } from './return-to.js';
import { decideSsoSignIn } from './sso-sign-in.js';
import { UserIdentityRepository } from './user-identity.repository.js';

/** The start of a sign-in: where to send the browser, and the sealed flow its cookie keeps. */
export interface OidcStart {
  authorizationUrl: URL;
  flow: { sealed: string; expiresAt: Date };
}

/** Whether the sign-in page offers single sign-on, and under what name. */
export interface OidcAvailability {
  enabled: boolean;
  displayName: string | null;
}

/** A finished sign-in: the session for the cookie, and where to send the person. */
export interface OidcSignedIn {
  session: StartedSession;
  returnTo: string;
}

const REFUSALS = {
  no_email: 'The single sign-on provider shared no email address; Herald needs one (the email scope) to sign you in',
  email_unverified:
    'The single sign-on provider has not verified your email address (email_verified is not true); verify it there and sign in again',
} as const;

/**
 * Single sign-on through the deployment's OpenID Connect provider: starts a sign-in (PKCE, state and
 * nonce kept by the browser, sealed), and completes it: finds the person by the provider's
 * (issuer, subject), else links or creates them by a verified email (see decideSsoSignIn), and starts
 * their session.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);

  constructor(
    private readonly client: OidcClient,
    private readonly flows: OidcFlowCodec,
    private readonly users: UserRepository,
    private readonly identities: UserIdentityRepository,
    private readonly transactions: TransactionRunner,
    private readonly sessions: SessionsService,
  ) {}

  availability(): OidcAvailability {
    const settings = this.client.configured;
    return { enabled: settings !== null, displayName: settings?.displayName ?? null };
  }

  async start(returnTo: string | undefined): Promise<OidcStart> {
    this.client.assertConfigured();
    const safe = returnTo === undefined ? DEFAULT_RETURN_TO : safeReturnTo(returnTo);
    if (safe === null) {
      throw DomainError.validation([
        { field: 'returnTo', message: 'must be a path on this site, starting with one /' },
      ]);
    }
    const checks = {
      state: openid.randomState(),
      nonce: openid.randomNonce(),
      codeVerifier: openid.randomPKCECodeVerifier(),
    };
    return {
      authorizationUrl: await this.client.authorizationUrl(checks),
      flow: this.flows.issue({ ...checks, returnTo: safe }),
    };
  }

  /**
   * Completes the sign-in the browser's flow cookie started, with the provider's callback parameters.
   * Every refusal (provider error, missing, wrong, expired or reused state, a code or ID token that
   * does not verify, an email that may not sign in) is a 4xx with nothing written.
   */
  async complete(
    parameters: URLSearchParams,
    sealedFlow: string | null,
    client: { userAgent: string | null; ip: string | null },
  ): Promise<OidcSignedIn> {
    this.client.assertConfigured();
    const error = parameters.get('error');
    if (error !== null) {
      // Quoted back to the person, cut short: anyone can put anything in a link to this route.
      const said = [error, parameters.get('error_description')].filter(Boolean).join(': ').slice(0, 300);
      throw DomainError.validation([
        { field: 'error', message: `the single sign-on provider did not sign you in (${said})` },
      ]);
    }
    if (!parameters.get('code')) {
      throw DomainError.validation([{ field: 'code', message: 'the callback needs code and state' }]);
    }
    const flow = await this.flows.use(sealedFlow, parameters.get('state') ?? '');
    const claims = await this.client.redeem(parameters, flow);
    const userId = await this.userFor(claims);
    return { session: await this.sessions.start(userId, client), returnTo: flow.returnTo };
  }

  private userFor(claims: OidcClaims): Promise<string> {
    return this.transactions.run(async (tx) => {
      const email = claims.email;
      const decision = decideSsoSignIn({
        identityUserId: await this.identities.userOf(tx, claims.issuer, claims.subject),
        email,
        emailVerified: claims.emailVerified,
        userWithEmailId: email === null ? null : ((await this.users.findByEmail(email, tx))?.id ?? null),
      });
      switch (decision.kind) {
        case 'sign_in':
          return decision.userId;
        case 'refuse':
          throw new DomainError('FORBIDDEN', REFUSALS[decision.reason]);
        case 'link': {
          const userId = await this.identities.link(tx, claims.issuer, claims.subject, decision.userId);
          this.logger.log(`Single sign-on identity of ${claims.issuer} linked to user ${userId} (verified email)`);
          return userId;
        }
        case 'create': {
          // A concurrent sign-in or invitation may take the email first: the email is verified, so it is theirs.
          const user =
            (await this.users.create({ email: decision.email, name: claims.name, passwordHash: null }, tx)) ??
            (await this.users.findByEmail(decision.email, tx));
          if (!user) throw new Error(`User ${decision.email} neither created nor found`);
          return this.identities.link(tx, claims.issuer, claims.subject, user.id);
        }
      }
    });
  }
}
