/** What a publish job should do next, decided by PublishTargetService and carried out by the processor. */
export type PublishOutcome =
  | { kind: 'published'; platformPostId: string; url: string; recovered: boolean }
  /** A transient failure: the target is queued again for `at`. */
  | { kind: 'retry'; at: Date; error: string }
  | { kind: 'failed'; error: string }
  /** The target is not claimable yet (rescheduled, or another worker holds its lease): look again at `until`. */
  | { kind: 'wait'; until: Date }
  /** Nothing left to do (published, cancelled, deleted). */
  | { kind: 'skipped'; reason: string };
