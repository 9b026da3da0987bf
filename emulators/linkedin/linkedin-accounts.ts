import type { EmulatorRequest } from '../kit/emulator-server.js';
import {
  ACCESS_TOKEN_SECONDS,
  accessDenied,
  type Member,
  memberFromSeed,
  personUrn,
  randomToken,
  REFRESH_TOKEN_SECONDS,
  type TokenProblem,
  unauthorized,
} from './linkedin-wire.js';

/** Organization roles that may post for the organization (w_organization_social). */
const POSTING_ROLES = new Set(['ADMINISTRATOR', 'CONTENT_ADMINISTRATOR', 'DIRECT_SPONSORED_CONTENT_POSTER']);
/** What a token nobody issued may do: everything Herald asks for, for members and organizations. */
const ALL_SCOPES = ['openid', 'profile', 'email', 'w_member_social', 'w_organization_social', 'r_organization_admin'];

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  /** Seconds left before the refresh token expires. */
  refreshExpiresIn: number;
  scopes: Set<string>;
  member: Member;
}

interface Grant {
  member: Member;
  scopes: Set<string>;
  expiresAt: number;
}

export interface OrganizationRole {
  sub: string;
  organizationId: string;
  role: string;
}

/**
 * Who is who on the emulated LinkedIn: members and the tokens that act for them, revocations and
 * expiries, and the roles members hold on organizations. A token nobody issued belongs to a member
 * made up from it, with every scope.
 */
export class LinkedInAccounts {
  private readonly accessTokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly organizations = new Map<string, string>();
  private roles: OrganizationRole[] = [];
  private revoked = new Set<string>();
  private expired = new Set<string>();

  memberFor(accessToken: string): Member {
    return this.accessTokens.get(accessToken)?.member ?? memberFromSeed(accessToken);
  }

  /** The caller's token and member; LinkedIn's 401 (or 403 without `scope`) otherwise. */
  authenticate(request: EmulatorRequest, scope?: string): { token: string; member: Member } {
    const problem = this.problemWith(request.bearer);
    if (problem) throw unauthorized(problem);
    const token = request.bearer!;
    const scopes = this.accessTokens.get(token)?.scopes ?? new Set(ALL_SCOPES);
    if (scope && !scopes.has(scope)) throw accessDenied(`${request.url.pathname} (scope ${scope})`);
    return { token, member: this.memberFor(token) };
  }

  hasScope(accessToken: string, scope: string): boolean {
    return this.accessTokens.get(accessToken)?.scopes.has(scope) ?? true;
  }

  /** Whether `member` may post or upload as `owner` (themselves, or an organization they may post for). */
  mayActFor(member: Member, owner: string): boolean {
    if (owner === personUrn(member)) return true;
    const organizationId = /^urn:li:organization:(\d+)$/.exec(owner)?.[1];
    return this.roles.some(
      (role) => role.sub === member.sub && role.organizationId === organizationId && POSTING_ROLES.has(role.role),
    );
  }

  rolesOf(member: Member): OrganizationRole[] {
    return this.roles.filter((role) => role.sub === member.sub);
  }

  organizationName(id: string): string | undefined {
    return this.organizations.get(id);
  }

  grantOrganizationRole(accessToken: string, organization: { id: string; name: string }, role = 'ADMINISTRATOR'): void {
    this.organizations.set(organization.id, organization.name);
    this.roles.push({ sub: this.memberFor(accessToken).sub, organizationId: organization.id, role });
  }

  /** A new access and refresh token for `member`, as the token endpoint issues them. */
  issue(member: Member, scopes: Set<string>): IssuedTokens {
    const refreshToken = randomToken('AQX', 48);
    const expiresAt = Date.now() + REFRESH_TOKEN_SECONDS * 1000;
    this.refreshTokens.set(refreshToken, { member, scopes, expiresAt });
    return this.withNewAccessToken(refreshToken, { member, scopes, expiresAt });
  }

  /** A new access token for a refresh token, which keeps its expiry; undefined when it is no longer valid. */
  refresh(refreshToken: string): IssuedTokens | undefined {
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || this.revoked.has(refreshToken) || grant.expiresAt <= Date.now()) return undefined;
    return this.withNewAccessToken(refreshToken, grant);
  }

  /** Tokens for a new member with every scope. */
  issueForNewMember(): IssuedTokens {
    return this.issue(memberFromSeed(randomToken('member-')), new Set(ALL_SCOPES));
  }

  revoke(token: string): void {
    this.revoked.add(token);
  }

  expire(accessToken: string): void {
    this.expired.add(accessToken);
  }

  /** Forgets revocations, expiries and organization roles; issued tokens stay, with their members. */
  reset(): void {
    this.revoked = new Set();
    this.expired = new Set();
    this.organizations.clear();
    this.roles = [];
  }

  private withNewAccessToken(refreshToken: string, grant: Grant): IssuedTokens {
    const accessToken = randomToken('AQV', 48);
    const { member, scopes } = grant;
    this.accessTokens.set(accessToken, { member, scopes, expiresAt: Date.now() + ACCESS_TOKEN_SECONDS * 1000 });
    const refreshExpiresIn = Math.max(0, Math.floor((grant.expiresAt - Date.now()) / 1000));
    return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_SECONDS, refreshExpiresIn, scopes, member };
  }

  private problemWith(token: string | undefined): TokenProblem | undefined {
    if (!token) return 'invalid';
    if (this.revoked.has(token)) return 'revoked';
    const issued = this.accessTokens.get(token);
    if (this.expired.has(token) || (issued && issued.expiresAt <= Date.now())) return 'expired';
    return undefined;
  }
}
