import { isUUID } from 'class-validator';

/** Payload of a {@link PUBLISH_TARGET_JOB}. Only an id: content and credentials never go to Redis. */
export interface PublishTargetJob {
  targetId: string;
}

/** A job in Redis is input like any other: check it before use. */
export function parsePublishTargetJob(data: unknown): PublishTargetJob {
  const targetId = (data as Partial<PublishTargetJob> | null)?.targetId;
  if (typeof targetId !== 'string' || !isUUID(targetId)) {
    throw new Error(`Malformed ${'publish-target'} job payload: ${JSON.stringify(data)}`);
  }
  return { targetId };
}
