import { Injectable } from '@nestjs/common';
import {
  checkMediaFiles,
  checkOutline,
  PlatformRegistry,
  type ContentOutline,
  type ContentProblem,
  type ContentToCheck,
  type FieldProblem,
  type MediaFile,
  type PlatformName,
} from '@app/shared';

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
 * The rules come in two parts: those that need no image bytes ({@link outlineProblems}), checked
 * before anything is downloaded, and those about the files ({@link mediaProblems}).
 */
@Injectable()
export class PostContentValidator {
  constructor(private readonly platforms: PlatformRegistry) {}

  problems(accounts: AccountContent[], shared: Omit<ContentToCheck, 'text'>): FieldProblem[] {
    return unique([
      ...this.outlineProblems(accounts, shared),
      ...this.mediaProblems(
        accounts.map((account) => account.platform),
        shared.media,
      ),
    ]);
  }

  /** Texts, threads, how many images and their alt texts: everything known before a download. */
  outlineProblems(accounts: AccountContent[], shared: Omit<ContentOutline, 'text'>): FieldProblem[] {
    return unique(
      accounts.flatMap((account) => {
        const provider = this.platforms.get(account.platform);
        const content = { ...shared, text: account.text };
        const extra = (provider.extraContentProblems?.(content) ?? []).map((message) => ({
          field: 'text' as const,
          message,
        }));
        return this.named(account.platform, [...checkOutline(provider.rules, content), ...extra], account.textField);
      }),
    );
  }

  /** The rules about the image files; `undefined` is a file not downloaded yet (see checkMediaFiles). */
  mediaProblems(platforms: PlatformName[], files: readonly (MediaFile | undefined)[]): FieldProblem[] {
    return unique(
      platforms.flatMap((platform) => {
        const provider = this.platforms.get(platform);
        const extra = (provider.extraMediaProblems?.(files) ?? []).map((message) => ({
          field: 'media' as const,
          message,
        }));
        return this.named(platform, [...checkMediaFiles(provider.rules, files), ...extra]);
      }),
    );
  }

  /** Problems as the request names them: the text's own field, and the platform in every message. */
  private named(platform: PlatformName, problems: ContentProblem[], textField = 'content'): FieldProblem[] {
    const name = this.platforms.get(platform).rules.displayName;
    return problems.map(({ field, message }) => ({
      field: field === 'text' ? textField : field,
      message: message.includes(name) ? message : `${name}: ${message}`,
    }));
  }
}

/** Each problem once: two accounts on one platform break its rules the same way. */
function unique(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.field}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
