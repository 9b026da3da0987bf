import { DomainError, type FieldProblem } from '../../errors/domain-error.js';

/**
 * Reads Graph credentials `{ <idField>: "<numeric Graph id>", accessToken }`, naming every problem:
 * Facebook's `{ pageId, accessToken }`, Instagram's `{ instagramUserId, accessToken }`.
 */
export function parseGraphCredentials<IdField extends string>(
  input: unknown,
  idField: IdField,
  expected: { platform: string; id: string; token: string },
): Record<IdField, string> & { accessToken: string } {
  const object =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const problems: FieldProblem[] = [];
  const id = typeof object[idField] === 'string' ? object[idField].trim() : '';
  if (!/^\d+$/.test(id)) {
    problems.push({ field: `credentials.${idField}`, message: `must be ${expected.id} (digits only)` });
  }
  const token = typeof object.accessToken === 'string' ? object.accessToken.trim() : '';
  if (token === '' || /\s/.test(token)) {
    problems.push({ field: 'credentials.accessToken', message: `must be ${expected.token}, without whitespace` });
  }
  for (const key of Object.keys(object).filter((key) => key !== idField && key !== 'accessToken')) {
    problems.push({
      field: `credentials.${key}`,
      message: `is not accepted for ${expected.platform} (only ${idField} and accessToken)`,
    });
  }
  if (problems.length > 0) throw DomainError.validation(problems);
  return { [idField]: id, accessToken: token } as Record<IdField, string> & { accessToken: string };
}
