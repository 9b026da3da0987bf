import { classifyHttpError, type HttpErrorDialect } from '../http/platform-http.js';
import type { PublishFailure } from '../platform-provider.js';

/** The member behind the token holds no role that lets them post for the organization. */
export class LinkedInOrganizationAccessError extends Error {
  constructor(readonly organizationId: string) {
    super(
      `The LinkedIn member may not post for organization ${organizationId}: ` +
        'they need the ADMINISTRATOR, CONTENT_ADMINISTRATOR or DIRECT_SPONSORED_CONTENT_POSTER role on its page',
    );
    this.name = 'LinkedInOrganizationAccessError';
  }
}

/**
 * How LinkedIn's answers read:
 * - Rest.li errors `{ status, serviceErrorCode, code, message }` (401 INVALID/EXPIRED/REVOKED_ACCESS_TOKEN,
 *   403 ACCESS_DENIED, 426 NONEXISTENT_VERSION, 429 TOO_MANY_REQUESTS without any reset header);
 * - content refusals `{ message: "com.linkedin...Exception: <reason>", errorDetails: { inputErrors } }`,
 *   among them 422 DUPLICATE_POST ("Content is a duplicate of urn:li:share:...");
 * - the OAuth token endpoint's `{ error, error_description }`, where `invalid_grant` means the refresh
 *   token is expired or revoked, and `invalid_client` that Herald's app credentials are wrong.
 */
export const LINKEDIN_ERROR_DIALECT: HttpErrorDialect = {
  platform: 'LinkedIn',
  describe(data) {
    if (!isObject(data)) return undefined;
    if (typeof data.message === 'string' && data.message.trim() !== '') {
      return data.message.replace(/^(?:[\w$]+\.)+[\w$]*Exception:\s*/, '').trim();
    }
    if (typeof data.error_description === 'string') return data.error_description;
    return typeof data.error === 'string' ? data.error : undefined;
  },
  isDuplicate(status, detail, data) {
    return (
      status === 422 && (inputErrorCodes(data).includes('DUPLICATE_POST') || /is a duplicate of/i.test(detail ?? ''))
    );
  },
  rejectsCredentials(status, _detail, data) {
    const oauthError = isObject(data) ? data.error : undefined;
    // invalid_client: Herald's LinkedIn app is misconfigured; reconnecting the account would not help.
    if (oauthError === 'invalid_client') return false;
    return status === 401 || (status === 400 && oauthError === 'invalid_grant');
  },
};

export function classifyLinkedInError(error: unknown): PublishFailure {
  if (error instanceof LinkedInOrganizationAccessError) {
    return { kind: 'permanent', message: error.message, credentialsRejected: true };
  }
  return classifyHttpError(error, LINKEDIN_ERROR_DIALECT);
}

function inputErrorCodes(data: unknown): unknown[] {
  const details = isObject(data) && isObject(data.errorDetails) ? data.errorDetails.inputErrors : undefined;
  return Array.isArray(details) ? details.map((item) => (isObject(item) ? item.code : undefined)) : [];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
