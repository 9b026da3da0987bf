import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, type FieldProblem } from '@app/shared';

/** Flattens class-validator errors into one entry per bad field, with dotted paths (`targets.0.content`). */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

/** Strict DTO validation: unknown fields are rejected, and every bad field is named in the 400. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => DomainError.validation(fieldProblems(errors)),
  });
}
