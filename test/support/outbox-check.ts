/**
 * What the events outbox promises about targets, as one query: a target that ended (published,
 * failed, missed, or unknown with no check left) has exactly one event, naming its outcome; any other
 * target (cancelled, or still on its way) has none. Selects the targets that break it, among the
 * targets of `$1` (post ids), or all of them when `$1` is null. The chaos suite checks it after its run.
 * Only for targets never started over: `POST /v1/posts/:id/retry` lets a target end, and report, again.
 */
export const WRONG_OUTCOME_EVENTS = `
  SELECT t.id, t.status, reported.types
    FROM post_targets t
    CROSS JOIN LATERAL (
      SELECT coalesce(array_agg(e.type ORDER BY e.id), '{}') AS types FROM events e
       WHERE e.type LIKE 'target.%' AND e.data->>'targetId' = t.id::text
    ) reported
   WHERE ($1::uuid[] IS NULL OR t.post_id = ANY($1::uuid[]))
     AND reported.types IS DISTINCT FROM
         CASE WHEN t.status IN ('published', 'failed', 'missed') OR (t.status = 'unknown' AND t.next_attempt_at IS NULL)
              THEN ARRAY['target.' || t.status] ELSE '{}'::text[] END`;
