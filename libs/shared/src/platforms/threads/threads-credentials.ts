import { DomainError, type FieldProblem } from '../../errors/domain-error.js';

/**
 * A Threads user access token (scopes `threads_basic`, `threads_content_publish`, `threads_read_replies`)
 * and the Threads user it belongs to. Long-lived tokens last 60 days; `expiresAt` (ISO 8601), when
 * known, lets Herald refresh them before they lapse.
 */
export interface ThreadsCredentials {
  userId: string;
  accessToken: string;
  expiresAt?: string;
}

const KEYS = ['userId', 'accessToken', 'expiresAt'];

/** Checks the shape of Threads credentials; throws a validation DomainError naming each bad field. */
export function parseThreadsCredentials(input: unknown): ThreadsCredentials {
  const object =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const problems: FieldProblem[] = [];
  const problem = (key: string, message: string) => problems.push({ field: `credentials.${key}`, message });

  const userId = typeof object.userId === 'string' ? object.userId.trim() : object.userId;
  if (typeof userId !== 'string' || !/^\d+$/.test(userId)) {
    problem('userId', 'must be the numeric Threads user id, as a string');
  }
  const accessToken = typeof object.accessToken === 'string' ? object.accessToken.trim() : '';
  if (accessToken === '' || /\s/.test(accessToken)) {
    problem('accessToken', 'must be a non-empty Threads user access token without whitespace');
  }
  let expiresAt: string | undefined;
  if (object.expiresAt !== undefined && object.expiresAt !== null) {
    const time = typeof object.expiresAt === 'string' ? Date.parse(object.expiresAt) : NaN;
    if (Number.isNaN(time)) problem('expiresAt', 'must be an ISO 8601 date and time');
    else expiresAt = new Date(time).toISOString();
  }
  for (const key of Object.keys(object).filter((key) => !KEYS.includes(key))) {
    problem(key, `is not accepted for Threads (only ${KEYS.join(', ')})`);
  }
  if (problems.length > 0) throw DomainError.validation(problems);
  return { userId: userId as string, accessToken, ...(expiresAt ? { expiresAt } : {}) };
}
