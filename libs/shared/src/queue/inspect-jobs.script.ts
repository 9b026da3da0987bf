import type { JobFacts } from './job-repair.js';

/** The queue keys the script reads, in the order of its KEYS. */
export const INSPECTED_KEYS = ['completed', 'failed', 'delayed', 'prioritized', 'waiting-children', 'active'] as const;

/** BullMQ's lists a job can wait or run in, read at most once per scheduler pass (see QueuedJobs). */
export const LISTED_KEYS = ['wait', 'paused', 'active'] as const;

/**
 * The state of many jobs in one round trip: what BullMQ's own getState script (getStateV2) answers
 * for one job, plus whether the job exists and, when delayed, when it runs. It follows BullMQ 6's key
 * layout: a job is the hash `<prefix>:<queue>:<id>` (ARGV[1] is `<prefix>:<queue>:`, as BullMQ's
 * scripts build job keys), a delayed job's score is its run time in ms × 0x1000 plus a counter.
 *
 * getState finds a job in the wait list with LPOS, a scan of the whole list per job. Herald's jobs all
 * have a priority, so they wait in the `prioritized` sorted set, where one ZSCORE finds them; the wait
 * list only holds jobs a dead worker left behind (BullMQ moves stalled jobs there whatever their
 * priority) and jobs added without a priority. So the script reads only the active list, which holds
 * at most the workers' concurrency, and names `unplaced` a job found nowhere else: the caller looks it
 * up in the lists read once per pass, so a long wait list costs a pass one read, not one per batch.
 */
export const INSPECT_JOBS_LUA = `
local rcall = redis.call
local replies = {}
local pending = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local state, runAt = nil, ''
  if rcall('EXISTS', ARGV[1] .. id) == 0 then
    state = 'missing'
  elseif rcall('ZSCORE', KEYS[1], id) then
    state = 'completed'
  elseif rcall('ZSCORE', KEYS[2], id) then
    state = 'failed'
  else
    local score = rcall('ZSCORE', KEYS[3], id)
    if score then
      state = 'delayed'
      runAt = tostring(math.floor(tonumber(score) / 0x1000))
    elseif rcall('ZSCORE', KEYS[4], id) or rcall('ZSCORE', KEYS[5], id) then
      state = 'alive'
    else
      pending[#pending + 1] = i - 1
    end
  end
  replies[2 * (i - 1) - 1] = state or 'unplaced'
  replies[2 * (i - 1)] = runAt
end
if #pending > 0 then
  local active = {}
  for _, id in ipairs(rcall('LRANGE', KEYS[6], 0, -1)) do active[id] = true end
  for _, n in ipairs(pending) do
    if active[ARGV[n + 1]] then replies[2 * n - 1] = 'alive' end
  end
end
return replies
`;

/** A job the script found in no sorted set and not running: it waits in a list, or is in none. */
export const UNPLACED = 'unplaced';

/**
 * Reads the script's reply: a state and a run time (empty unless delayed) per job, in order, with
 * `listed` telling whether an unplaced job (by its index) is in one of BullMQ's lists.
 */
export function parseJobFacts(reply: string[], listed: (index: number) => boolean): JobFacts[] {
  const facts: JobFacts[] = [];
  for (let i = 0; i < reply.length; i += 2) {
    const state = reply[i];
    switch (state) {
      case 'missing':
      case 'completed':
      case 'failed':
      case 'alive':
        facts.push({ state });
        break;
      case UNPLACED:
        facts.push({ state: listed(i / 2) ? 'alive' : 'unknown' });
        break;
      case 'delayed':
        facts.push({ state, runAt: new Date(Number(reply[i + 1])) });
        break;
      default:
        throw new Error(`Unexpected job state from Redis: ${state}`);
    }
  }
  return facts;
}
