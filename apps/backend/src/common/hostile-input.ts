import type { FieldProblem } from '@app/shared';

/** Deeper than any body Herald's API takes (a post is four levels deep); deeper only costs CPU. */
export const MAX_JSON_DEPTH = 32;

/**
 * The first problem of a parsed request (body or query) that no DTO rule catches: nesting deeper than
 * MAX_JSON_DEPTH, or a NUL character, which PostgreSQL cannot store in text. Walks without recursion,
 * so a deep body cannot exhaust the stack.
 */
export function hostileInputProblem(value: unknown): FieldProblem | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value: current, path, depth } = pending.pop()!;
    const field = path || 'body';
    if (typeof current === 'string') {
      if (current.includes('\0')) return { field, message: 'must not contain NUL characters' };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_JSON_DEPTH) return { field, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    for (const [key, child] of Object.entries(current)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\0')) return { field: childPath, message: 'field names must not contain NUL characters' };
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}
