import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, DomainError, type OidcSettings } from '@app/shared';
import * as openid from 'openid-client';

/** What the provider vouches for about the person who signed in. */
export interface OidcClaims {
  issuer: string;
  subject: string;
  email: string | null;
  /** True only when the provider said `email_verified: true`. */
  emailVerified: boolean;
  name: string;
}

/** The secrets a sign-in keeps between its start and its callback (see OidcFlow). */
export interface OidcChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

const SETTINGS = 'OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET';

/**
 * Herald as a client of the deployment's OpenID Connect provider (`openid-client`): discovers the
 * provider once (again after a failure), builds authorization URLs (PKCE S256, state, nonce), and
 * redeems callbacks: the code for tokens, with the ID token's signature, issuer, audience, expiry and
 * nonce verified, then the claims (from userinfo too when the ID token leaves the email or its
 * verification out, as providers may for the code flow).
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger(OidcClient.name);
  private readonly settings: OidcSettings | null;
  private readonly redirectUri: string;
  private configuration: Promise<openid.Configuration> | null = null;

  constructor(config: AppConfig) {
    this.settings = config.oidc;
    this.redirectUri = `${config.publicBaseUrl}/v1/auth/oidc/callback`;
  }

  /** The configured provider's settings; null when single sign-on is not configured. */
  get configured(): OidcSettings | null {
    return this.settings;
  }

  /** 501 naming the settings when single sign-on is not configured. */
  assertConfigured(): OidcSettings {
    if (!this.settings) {
      throw new DomainError('NOT_CONFIGURED', `Single sign-on is not configured: set ${SETTINGS}`);
    }
    return this.settings;
  }

  async authorizationUrl(checks: OidcChecks): Promise<URL> {
    const settings = this.assertConfigured();
    return openid.buildAuthorizationUrl(await this.discovered(), {
      redirect_uri: this.redirectUri,
      scope: settings.scopes,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await openid.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /** Exchanges the callback's code and returns the verified claims; 400 or 503 when the provider fails it. */
  async redeem(callbackParameters: URLSearchParams, checks: OidcChecks): Promise<OidcClaims> {
    const configuration = await this.discovered();
    try {
      const tokens = await openid.authorizationCodeGrant(
        configuration,
        new URL(`${this.redirectUri}?${callbackParameters.toString()}`),
        { pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state, expectedNonce: checks.nonce },
      );
      const idToken = tokens.claims();
      if (!idToken) throw new openid.ClientError('the provider returned no ID token');
      const claims =
        (idToken.email === undefined || idToken.email_verified === undefined) &&
        configuration.serverMetadata().userinfo_endpoint
          ? { ...(await openid.fetchUserInfo(configuration, tokens.access_token, idToken.sub)), ...idToken }
          : idToken;
      return {
        issuer: idToken.iss,
        subject: idToken.sub,
        email: typeof claims.email === 'string' && claims.email.trim() !== '' ? claims.email : null,
        emailVerified: claims.email_verified === true,
        name: typeof claims.name === 'string' ? claims.name : '',
      };
    } catch (error) {
      throw this.refusal(error);
    }
  }

  private discovered(): Promise<openid.Configuration> {
    const settings = this.assertConfigured();
    this.configuration ??= this.discover(settings).catch((error: unknown) => {
      this.configuration = null;
      this.logger.warn(`OpenID provider discovery at ${settings.issuerUrl} failed: ${String(error)}`);
      throw new DomainError(
        'DEPENDENCY_UNAVAILABLE',
        `The single sign-on provider (${settings.issuerUrl}) could not be reached; try again later`,
      );
    });
    return this.configuration;
  }

  private discover(settings: OidcSettings): Promise<openid.Configuration> {
    const issuer = new URL(settings.issuerUrl);
    return openid.discovery(
      issuer,
      settings.clientId,
      undefined,
      openid.ClientSecretBasic(settings.clientSecret),
      // Plain http only reaches an issuer outside production (the environment refuses it there): tests, local set-ups.
      issuer.protocol === 'http:' ? { execute: [openid.allowInsecureRequests] } : undefined,
    );
  }

  /** The DomainError for a failed redemption: the provider down is 503, a refusal or a bad answer 400. */
  private refusal(error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    const unavailable = new DomainError(
      'DEPENDENCY_UNAVAILABLE',
      'The single sign-on provider could not be reached; try again later',
    );
    if (error instanceof TypeError) return unavailable;
    if (error instanceof openid.ResponseBodyError) {
      if (error.status >= 500) return unavailable;
      const description = error.error_description ? `: ${error.error_description}` : '';
      return DomainError.validation([
        { field: 'code', message: `was refused by the provider (${error.error}${description})` },
      ]);
    }
    if (error instanceof openid.ClientError) {
      if (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') return unavailable;
      return DomainError.validation([
        { field: 'code', message: `the provider's answer did not verify: ${error.message}` },
      ]);
    }
    this.logger.error(`Single sign-on failed unexpectedly: ${String(error)}`);
    return unavailable;
  }
}
