/** What a publish job should do next, decided by PublishTargetService and carried out by the processor. */
export type PublishOutcome =
  | { kind: 'published'; platformPostId: string; url: string; recovered: boolean }
  /** Try again at `at`: a retry, or a reconciliation of an attempt whose outcome was lost. */
  | { kind: 'retry'; at: Date; error: string }
  /** Nothing more will be tried automatically; the target says why. */
  | { kind: 'settled'; status: 'failed' | 'unknown' | 'missed'; error: string }
  /**
   * The target is not claimable yet (rescheduled, rate-limited, or held by another worker), or over a
   * platform's limit (paced): look again at `until`. Never an attempt.
   */
  | { kind: 'wait'; until: Date }
  /** Nothing left to do (published, cancelled, deleted). */
  | { kind: 'skipped'; reason: string };
