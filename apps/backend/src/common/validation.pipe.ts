import { type ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, type FieldProblem } from '@app/shared';
import { hostileInputProblem } from './hostile-input.js';

/** Flattens class-validator errors into one entry per bad field, with dotted paths (`targets.0.content`). */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

/**
 * Strict DTO validation: unknown fields are rejected, and every bad field is named in the 400.
 * Bodies and queries are first checked for what no DTO rule catches (see hostileInputProblem),
 * before class-transformer spends time on them.
 */
class HostileInputAwareValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problem = hostileInputProblem(value);
      if (problem) throw DomainError.validation([problem]);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new HostileInputAwareValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => DomainError.validation(fieldProblems(errors)),
  });
}
