/** Worth showing next to a passing check, such as when the process last made progress. */
export type LivenessDetails = Record<string, unknown>;

/**
 * One named check of a process's liveness: it returns (or resolves) when the process can do its job,
 * and throws (or rejects), saying why, when it cannot.
 */
export type LivenessCheck = () => LivenessDetails | void | Promise<LivenessDetails | void>;

export interface LivenessCheckResult {
  status: 'up' | 'down';
  /** Why the check is down. */
  message?: string;
  [detail: string]: unknown;
}

export interface LivenessReport {
  status: 'ok' | 'error';
  checks: Record<string, LivenessCheckResult>;
}

/**
 * What an app registers with `LivenessModule`: its named checks. An abstract class rather than an
 * interface so that it can be the injection token; the worker and the scheduler each implement it.
 */
export abstract class LivenessIndicator {
  abstract checks(): Record<string, LivenessCheck>;
}

/**
 * Runs every check at once, each bounded by `timeoutMs` (a dependency that hangs is as bad as one that
 * refuses), so the report always comes back in time for the orchestrator's probe.
 */
export async function runLivenessChecks(
  checks: Record<string, LivenessCheck>,
  timeoutMs: number,
): Promise<LivenessReport> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  return {
    status: results.every(([, result]) => result.status === 'up') ? 'ok' : 'error',
    checks: Object.fromEntries(results),
  };
}

async function runCheck(check: LivenessCheck, timeoutMs: number): Promise<LivenessCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // `then` turns a synchronous throw into a rejection; the race also handles one arriving after the timeout.
    const details = await Promise.race([Promise.resolve().then(check), timeout]);
    const { status: _notADetail, ...rest } = details ?? {};
    return { status: 'up', ...rest };
  } catch (error) {
    return { status: 'down', message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
