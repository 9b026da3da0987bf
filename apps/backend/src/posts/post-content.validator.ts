import { Injectable } from '@nestjs/common';
import { checkContent, PlatformRegistry, type ContentToCheck, type FieldProblem, type PlatformName } from '@app/shared';

/** What one account would publish, and where its text came from in the request. */
export interface AccountContent {
  platform: PlatformName;
  text: string;
  /** The request field holding `text`: `content`, or `targets.<i>.content` for an account's own text. */
  textField: string;
}

/**
 * Checks a post against the rules of every platform it goes to (length as each platform counts it,
 * media, threads) and names every violation, so nothing is saved that a platform would refuse.
 */
@Injectable()
export class PostContentValidator {
  constructor(private readonly platforms: PlatformRegistry) {}

  problems(accounts: AccountContent[], shared: Omit<ContentToCheck, 'text'>): FieldProblem[] {
    const seen = new Set<string>();
    return accounts.flatMap((account) => {
      const provider = this.platforms.get(account.platform);
      const content = { ...shared, text: account.text };
      const problems = [
        ...checkContent(provider.rules, content),
        ...(provider.extraContentProblems?.(content) ?? []).map((message) => ({ field: 'text' as const, message })),
      ];
      return problems
        .map(({ field, message }) => ({
          field: field === 'text' ? account.textField : field,
          message: message.includes(provider.rules.displayName) ? message : `${provider.rules.displayName}: ${message}`,
        }))
        .filter((problem) => {
          const key = `${problem.field}\u0000${problem.message}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
    });
  }
}
