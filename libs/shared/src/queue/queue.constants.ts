/** The one BullMQ queue: one job per post target, whose id is the target id. */
export const POST_QUEUE = 'post-queue';

/** The one job name on {@link POST_QUEUE}: publish one target. */
export const PUBLISH_TARGET_JOB = 'publish-target';
