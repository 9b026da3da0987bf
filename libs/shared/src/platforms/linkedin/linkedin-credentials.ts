import { DomainError, type FieldProblem } from '../../errors/domain-error.js';

/**
 * A member's OAuth 2.0 access token (scopes `openid profile w_member_social`). With `organizationId`,
 * posts go out as that organization (company page): the token then also needs `w_organization_social`
 * and `r_organization_admin`, and the member a posting role on the page. `refreshToken` and
 * `expiresAt` come from the OAuth flow when LinkedIn grants the app refresh tokens.
 */
export interface LinkedInCredentials {
  accessToken: string;
  /** Digits only, as in `urn:li:organization:<id>`. */
  organizationId?: string;
  refreshToken?: string;
  /** When `accessToken` expires (ISO 8601). */
  expiresAt?: string;
}

const FIELDS = ['accessToken', 'organizationId', 'refreshToken', 'expiresAt'];

/** Checks credentials given to `POST /v1/accounts`; every problem is named at once. */
export function parseLinkedInCredentials(input: unknown): LinkedInCredentials {
  const object =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field: `credentials.${field}`, message });

  const accessToken = token(object.accessToken);
  if (accessToken === undefined) {
    problem('accessToken', 'must be a non-empty string without whitespace (a LinkedIn OAuth 2.0 access token)');
  }
  const organizationId = organization(object.organizationId);
  if (object.organizationId !== undefined && organizationId === undefined) {
    problem('organizationId', 'must be the numeric id of a LinkedIn organization, or its urn:li:organization URN');
  }
  const refreshToken = token(object.refreshToken);
  if (object.refreshToken !== undefined && refreshToken === undefined) {
    problem('refreshToken', 'must be a non-empty string without whitespace');
  }
  const expiresAt = isoDate(object.expiresAt);
  if (object.expiresAt !== undefined && expiresAt === undefined) {
    problem('expiresAt', 'must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z');
  }
  for (const key of Object.keys(object).filter((key) => !FIELDS.includes(key))) {
    problem(key, `is not accepted for LinkedIn (only ${FIELDS.join(', ')})`);
  }
  if (problems.length > 0) throw DomainError.validation(problems);

  return {
    accessToken: accessToken!,
    ...(organizationId === undefined ? {} : { organizationId }),
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

function token(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || /\s/.test(trimmed) ? undefined : trimmed;
}

function organization(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  return /^(?:urn:li:organization:)?(\d+)$/.exec(text.trim())?.[1];
}

function isoDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
