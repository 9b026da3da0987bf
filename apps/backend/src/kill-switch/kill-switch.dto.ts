import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { RecordedPause } from '@app/shared';

export class PauseDto {
  /** Shown on every post and target the pause holds back. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export interface PauseStateResponse {
  scope: 'workspace' | 'account';
  /** The paused account (null for the workspace). */
  accountId: string | null;
  /** The pause in force, null once resumed. */
  paused: { since: string; reason: string | null; by: string } | null;
}

export const toPauseState = (
  scope: PauseStateResponse['scope'],
  accountId: string | null,
  pause: RecordedPause | null,
): PauseStateResponse => ({
  scope,
  accountId,
  paused: pause && { since: pause.since.toISOString(), reason: pause.reason, by: pause.pausedBy },
});
