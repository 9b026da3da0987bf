import { Injectable } from '@nestjs/common';
import {
  DomainError,
  PublishingPauseRepository,
  SocialAccountRepository,
  TransactionRunner,
  type ActionOrigin,
  type Tx,
} from '@app/shared';
import { ChangeRecorder } from '../common/change-recorder.js';
import { toPauseState, type PauseStateResponse } from './kill-switch.dto.js';

/**
 * Pauses publishing for a whole workspace or one account. Nothing it covers is claimed while it lasts
 * (the claim condition reads the pauses), so no job already in Redis slips through; such a job is
 * parked and looked at again later. On resume, the scheduler's next pass runs the due targets' jobs,
 * and the lateness rules apply: a target now past its maxLatenessSeconds is missed. Pausing what is
 * paused, or resuming what is not, changes nothing and answers the state as it is.
 */
@Injectable()
export class KillSwitchService {
  constructor(
    private readonly pauses: PublishingPauseRepository,
    private readonly accounts: SocialAccountRepository,
    private readonly transactions: TransactionRunner,
    private readonly recorder: ChangeRecorder,
  ) {}

  /** What is paused now: the workspace, then accounts. */
  async list(workspaceId: string): Promise<{ items: PauseStateResponse[] }> {
    const pauses = await this.transactions.forWorkspace(workspaceId, (tx) => this.pauses.findAll(tx, workspaceId));
    return {
      items: pauses.map((pause) =>
        toPauseState(pause.accountId === null ? 'workspace' : 'account', pause.accountId, pause),
      ),
    };
  }

  pauseWorkspace(workspaceId: string, reason: string | null, origin: ActionOrigin): Promise<PauseStateResponse> {
    return this.pause(workspaceId, null, reason, origin);
  }

  resumeWorkspace(workspaceId: string, origin: ActionOrigin): Promise<PauseStateResponse> {
    return this.resume(workspaceId, null, origin);
  }

  pauseAccount(
    workspaceId: string,
    accountId: string,
    reason: string | null,
    origin: ActionOrigin,
  ): Promise<PauseStateResponse> {
    return this.pause(workspaceId, accountId, reason, origin);
  }

  resumeAccount(workspaceId: string, accountId: string, origin: ActionOrigin): Promise<PauseStateResponse> {
    return this.resume(workspaceId, accountId, origin);
  }

  private pause(
    workspaceId: string,
    accountId: string | null,
    reason: string | null,
    origin: ActionOrigin,
  ): Promise<PauseStateResponse> {
    return this.transactions.forWorkspace(workspaceId, async (tx) => {
      await this.assertAccountExists(tx, workspaceId, accountId);
      const { pause, created } = await this.pauses.pause(tx, workspaceId, accountId, {
        reason,
        pausedBy: origin.actor.label,
      });
      if (created) {
        await this.recorder.record(tx, workspaceId, origin, [
          accountId === null
            ? { type: 'workspace.paused', subject: { type: 'workspace', id: workspaceId }, data: { reason } }
            : { type: 'account.paused', subject: { type: 'account', id: accountId }, data: { reason } },
        ]);
      }
      return toPauseState(accountId === null ? 'workspace' : 'account', accountId, pause);
    });
  }

  private resume(workspaceId: string, accountId: string | null, origin: ActionOrigin): Promise<PauseStateResponse> {
    return this.transactions.forWorkspace(workspaceId, async (tx) => {
      await this.assertAccountExists(tx, workspaceId, accountId);
      const lifted = await this.pauses.resume(tx, workspaceId, accountId);
      if (lifted) {
        const data = { pausedSince: lifted.since.toISOString() };
        await this.recorder.record(tx, workspaceId, origin, [
          accountId === null
            ? { type: 'workspace.resumed', subject: { type: 'workspace', id: workspaceId }, data }
            : { type: 'account.resumed', subject: { type: 'account', id: accountId }, data },
        ]);
      }
      return toPauseState(accountId === null ? 'workspace' : 'account', accountId, null);
    });
  }

  private async assertAccountExists(tx: Tx, workspaceId: string, accountId: string | null): Promise<void> {
    if (accountId !== null && !(await this.accounts.findOne(tx, workspaceId, accountId))) {
      throw DomainError.notFound('Account');
    }
  }
}
